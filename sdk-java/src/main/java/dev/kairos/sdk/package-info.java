/**
 * The Kairos client SDK: {@link dev.kairos.sdk.Kairos} tracks behavioural events to a durable queue
 * and asks the rules server which content to show. Everything else is machinery in
 * {@code dev.kairos.sdk.internal}.
 */
package dev.kairos.sdk;
