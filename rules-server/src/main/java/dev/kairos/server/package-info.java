/** The Kairos rules server: decide API, rule lifecycle, health and metrics (Micronaut on Netty). */
package dev.kairos.server;
