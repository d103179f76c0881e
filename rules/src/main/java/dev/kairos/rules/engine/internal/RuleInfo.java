package dev.kairos.rules.engine.internal;

/** What the engine knows of a compiled rule: name, static salience, {@code @description}. */
public record RuleInfo(String name, int salience, String description) {}
