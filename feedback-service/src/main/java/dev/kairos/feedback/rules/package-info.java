/** What the decision log says about rule sets: which rules versions served traffic, and which were canaries. */
package dev.kairos.feedback.rules;
