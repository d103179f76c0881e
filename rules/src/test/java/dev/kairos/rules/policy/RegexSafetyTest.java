package dev.kairos.rules.policy;

import dev.kairos.rules.policy.internal.PolicyException;
import dev.kairos.rules.policy.internal.RegexSafety;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RegexSafetyTest {
    @ParameterizedTest
    @ValueSource(strings = {"(?i).*\\b(pizza|burgers?|sushi|food|snacks?|eat|restaurants?|delivery)\\b.*", "[a-z]+@[a-z]+", "abc",
            "(ab)+c", "x{1,5}y", "[^]]*", "\\Q(a+)+\\E", "(?:cart|checkout)/\\d{1,9}"})
    void acceptsPatternsThatStayLinearOrQuadratic(String regex) {
        assertThatCode(() -> RegexSafety.check(regex, 0)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(a+)+$", "(a*)*b", "(a|aa)*b", "((ab)*c)*", "(x+x+)+y", "(\\w+\\s?)+$", "(.*a){20}", "a.*b.*c.*d",
            "(a)\\1", "(?<n>a)\\k<n>", "(?x)a b", "(a{1,200})+", "["})
    void refusesPatternsThatCanBacktrackForAges(String regex) {
        assertThrows(PolicyException.class, () -> RegexSafety.check(regex, 0));
    }

    @org.junit.jupiter.api.Test
    void refusesOverlongPatterns() {
        assertThrows(PolicyException.class, () -> RegexSafety.check("x".repeat(RegexSafety.MAX_LENGTH + 1), 0));
    }
}
