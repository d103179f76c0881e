/** The admin key and the marketer sign-in (sessions and lock-outs kept in SQL) that guard the feedback API. */
package dev.kairos.feedback.auth;
