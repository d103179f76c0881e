/** Typed configuration of the rules server. */
package dev.kairos.server.config;
