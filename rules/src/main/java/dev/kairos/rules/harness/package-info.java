/** Scenario tests for rule packs: plain YAML or JSON files of given facts and expected adaptations. */
package dev.kairos.rules.harness;
