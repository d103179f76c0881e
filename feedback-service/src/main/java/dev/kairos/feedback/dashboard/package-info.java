/** The marketer dashboard at {@code /}: a static page, and charts rendered on the server as SVG. */
package dev.kairos.feedback.dashboard;
