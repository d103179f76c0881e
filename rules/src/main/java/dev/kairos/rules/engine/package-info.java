/**
 * Compiling rule packs into versions ({@link dev.kairos.rules.engine.RuleCompiler}) and
 * evaluating them ({@link dev.kairos.rules.engine.CompiledRules#evaluate}).
 */
package dev.kairos.rules.engine;
