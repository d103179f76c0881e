package dev.kairos.feedback.auth;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * Marketer sign-in settings under {@code kairos.feedback.login.*} (see docs/feedback.md).
 *
 * <pre>new LoginPolicy(5, Duration.ofMinutes(15), Duration.ofMinutes(15), 20, Duration.ofHours(12))</pre>
 *
 * @param maxFailures        failed sign-ins for one account within {@code window} that lock it; default 5
 * @param window             how far back failures count; default 15 minutes
 * @param lockout            how long a locked account (or address) is refused, even with the right
 *                           password; default 15 minutes
 * @param addressMaxFailures failed sign-ins from one client address (any accounts) within
 *                           {@code window} that lock the address; 0: no per-address limit; default 20
 * @param session            how long a marketer session lasts; default 12 hours
 */
@ConfigurationProperties("kairos.feedback.login")
public record LoginPolicy(@Bindable(defaultValue = "5") int maxFailures,
                          @Bindable(defaultValue = "15m") Duration window,
                          @Bindable(defaultValue = "15m") Duration lockout,
                          @Bindable(defaultValue = "20") int addressMaxFailures,
                          @Bindable(defaultValue = "12h") Duration session) {
    public LoginPolicy {
        if (maxFailures < 1) throw new IllegalArgumentException("kairos.feedback.login.max-failures must be at least 1");
        if (addressMaxFailures < 0) throw new IllegalArgumentException("kairos.feedback.login.address-max-failures must not be negative");
        if (window == null || window.isNegative() || window.isZero()) throw new IllegalArgumentException("kairos.feedback.login.window must be positive");
        if (lockout == null || lockout.isNegative() || lockout.isZero()) throw new IllegalArgumentException("kairos.feedback.login.lockout must be positive");
        if (session == null || session.isNegative() || session.isZero()) throw new IllegalArgumentException("kairos.feedback.login.session must be positive");
    }

    /** The defaults. */
    public static LoginPolicy defaults() {
        return new LoginPolicy(5, Duration.ofMinutes(15), Duration.ofMinutes(15), 20, Duration.ofHours(12));
    }
}
