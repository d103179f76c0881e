package dev.kairos.rules.policy;

import dev.kairos.rules.engine.CompileLimits;
import dev.kairos.rules.engine.CompileResult;
import dev.kairos.rules.engine.RuleCompiler;
import dev.kairos.rules.engine.RulePack;
import dev.kairos.rules.engine.RuleProblem;
import dev.kairos.rules.engine.RuleSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the allow-list lets through (and compiles), and how it reports what it refuses. */
class PackPolicyTest {
    static final RuleCompiler compiler = new RuleCompiler(CompileLimits.DEFAULT);

    @AfterAll
    static void close() { compiler.close(); }

    static CompileResult compile(String drl) {
        return compiler.compile("t", new RulePack(List.of(new RuleSource("t.drl", drl))));
    }

    /** Conditions a marketer may write, each compiled for real. */
    @ParameterizedTest
    @ValueSource(strings = {
            "Context( time.hour > 6 && < 10, time.between(22, 5) || time.weekend )",
            "Context( $h : time.hour ) Signals( isPeakHour($h), peakHours contains $h )",
            "Context( location.placeType in (\"cafe\", \"bar\"), location.placeType not in (\"office\"), device.os != \"ios\" )",
            "Signals( lastSearch matches \"(?i).*\\\\b(pizza|sushi)\\\\b.*\", lastSearch not matches \"x+\" )",
            "Signals( productViewsIn(\"dresses\") >= 3, dwellOn(\"news\") > 2.5, custom(\"tier\") == 2 )",
            "$v : Variant( experiment == \"t\", name == \"b\" ) Signals( intentScore > Double.parseDouble($v.param(\"threshold\")) )",
            "$w : Weights() Signals( intentScore > Math.max($w.get(\"highIntentThreshold\"), 0.5) * 1.0 - 0.1 )",
            "Profile( lastCartAddAt != null, hoursSinceCartAdd <= 24, lastCartAddAt.isAfter(now.minus(Duration.ofDays(2))) )",
            "Integer( this >= 18 ) from $s.peakHours",
            "$n : Number( intValue >= 2 ) from accumulate( Segment( $name : name ), count( $name ) )",
            "$l : java.util.ArrayList( size > 1 ) from collect( Segment( name.startsWith(\"vip_\") ) )",
            "exists Segment( name == \"a\" ) not Segment( name == \"b\" ) forall( $x : Segment( name.startsWith(\"v\") ) Segment( this == $x ) )",
            "Context( $c : location.country ) eval( $c.length() == 2 && !$c.equals(\"XX\") )",
            "String( length() > 3 ) from $s.productViewsByCategory.keySet()",
            "Integer( this > 1 ) from List.of(1, 2, 3)",
            "Placement( name == Placement.HOME_BANNER, formats.isEmpty() || accepts(\"carousel\") )",
    })
    void legitimateConditionsCompile(String conditions) {
        CompileResult r = compile("""
                package com.acme.rules;
                import java.util.List;
                import java.time.Duration;
                rule "Condition under test"
                when
                    $s : Signals()
                    %s
                    $p : Placement()
                then
                    adapt($p).content("x");
                end
                """.formatted(conditions));
        assertThat(r.problems()).isEmpty();
        assertThat(r.ok()).isTrue();
        r.orThrow().close();
    }

    @Test
    void legitimateConsequencesCompile() {
        CompileResult r = compile("""
                package com.acme.rules;
                import function java.lang.Math.max;
                rule "Consequence under test"
                    @description("all the actions a consequence may take")
                    salience -10
                    no-loop true
                when
                    $v : Variant( experiment == "cta" )
                    $c : Context()
                    $p : Placement()
                then
                    if ($c.getTime().getHour() >= max(18, 17)) {
                        adapt($p).content("evening").cta("Hi " + $v.param("name") + "!").param("n", String.valueOf(2)).priority(10);
                    } else {
                        fallback($p).format("none").because("too early");
                    }
                    suppress($p, "also a candidate").priority(1);
                    insert(new Segment("saw_" + $p.getName(), null));
                    insert(Segment.of("evening_visitor"));
                end
                """);
        assertThat(r.problems()).isEmpty();
        r.orThrow().close();
    }

    @Test
    void reportsEveryRefusedStatementNotOnlyTheFirst() {
        CompileResult r = compile("""
                package com.acme.rules;
                rule "Two problems"
                when $p : Placement()
                then
                    System.exit(1);
                    adapt($p).cta("x".repeat(3));
                end
                """);
        assertThat(r.problems()).extracting(RuleProblem::line, RuleProblem::column).containsExactly(
                org.assertj.core.groups.Tuple.tuple(5, 5), org.assertj.core.groups.Tuple.tuple(6, 23));
    }

    @Test
    void aMisspelledMethodIsACompileProblemWithASuggestion() {
        CompileResult r = compile("""
                package com.acme.rules;
                rule "Typo"
                when Signals( productViewIn("dresses") > 1 ) $p : Placement()
                then adapt($p);
                end
                """);
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo("compile");
            assertThat(p.line() + ":" + p.column()).isEqualTo("3:15");
            assertThat(p.message()).contains("did you mean 'productViewsIn'");
        });
    }

    @Test
    void unicodeEscapesForOrdinaryCharactersInConsequenceTextAreFine() {
        CompileResult r = compile("""
                package com.acme.rules;
                rule "Cafe" when Context( location.placeType == "café" ) $p : Placement() then adapt($p).cta("Caf\\u00e9 time"); end
                """);
        assertThat(r.problems()).isEmpty();
        r.orThrow().close();
    }

    @Test
    void conditionsSayThatTheyCannotReadUnicodeEscapes() {
        CompileResult r = compile("""
                package com.acme.rules;
                rule "Cafe" when Context( location.placeType == "caf\\u00e9" ) $p : Placement() then adapt($p); end
                """);
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.line() + ":" + p.column()).isEqualTo("2:53");
            assertThat(p.message()).contains("write the character itself");
        });
    }

    @Test
    void aPackageThatWouldHideTheFactModelIsRefused() {
        // org.slf4j.event holds a class named Level, but not one of ours; this package has "Segment"?
        // Use a package of the classpath that holds a class with a fact-model name: picocli's has "Range"...
        CompileResult r = compile("""
                package org.drools.base.definitions.rule.impl;
                rule "r" when $p : Placement() then adapt($p); end
                """);
        assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("belongs to Kairos or a library"));
    }
}
