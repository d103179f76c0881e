package dev.kairos.rules.engine;

/**
 * Thrown by {@link CompiledRules#evaluate} when the evaluating thread was interrupted (its caller
 * stopped waiting at a deadline): the evaluation stopped before its next firing.
 */
public final class EvaluationAbandonedException extends RuntimeException {
    public EvaluationAbandonedException() {
        super("the evaluation was abandoned (interrupted at its deadline)", null, false, false);
    }
}
