/**
 * The Kairos client SDK: {@link dev.kairos.sdk.Kairos} tracks behavioural events to a durable queue
 * and asks the rules server which content to show; {@link dev.kairos.sdk.KairosClient} is what app
 * code depends on, {@link dev.kairos.sdk.KairosFake} its in-memory stand-in for tests. Everything
 * else is machinery in {@code dev.kairos.sdk.internal}.
 *
 * <p>Nullness (JSpecify): nothing here is {@code null} unless marked {@code @Nullable}.
 */
@NullMarked
package dev.kairos.sdk;

import org.jspecify.annotations.NullMarked;
