/**
 * Reading a decide request (JSON, or YAML in scenario files) into validated facts, with errors that
 * name the offending field.
 */
package dev.kairos.rules.input;
