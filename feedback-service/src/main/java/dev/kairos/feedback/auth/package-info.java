/** The admin key that guards the feedback API. */
package dev.kairos.feedback.auth;
