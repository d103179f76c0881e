/** The right to erasure on the feedback side: the status of an erasure request. */
package dev.kairos.feedback.erasure;
