/** The {@code kairos-rules} command line: validate DRL folders and run scenario folders. */
package dev.kairos.rules.cli;
