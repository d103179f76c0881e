/** Engine machinery: not an API, may change without notice. */
package dev.kairos.rules.engine.internal;
