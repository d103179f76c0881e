package dev.kairos.rules.engine.internal;

import dev.kairos.rules.policy.PackPolicy;
import org.kie.api.definition.rule.Rule;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.event.rule.ObjectDeletedEvent;
import org.kie.api.event.rule.ObjectInsertedEvent;
import org.kie.api.event.rule.ObjectUpdatedEvent;
import org.kie.api.event.rule.RuleRuntimeEventListener;

import java.util.Map;

/**
 * Tells the thread's {@link Firing} which rule is about to fire, halts an evaluation whose thread
 * was interrupted (its caller's deadline passed) before the next firing, and fails one whose rules
 * insert more than {@link PackPolicy#MAX_INSERTED_FACTS} facts. One per compiled version.
 */
public final class FiringListener extends DefaultAgendaEventListener implements RuleRuntimeEventListener {
    private final Map<Rule, RuleInfo> rules;

    public FiringListener(Map<Rule, RuleInfo> rules) {
        this.rules = rules;
    }

    @Override
    public void objectInserted(ObjectInsertedEvent event) {
        if (event.getRule() != null && Firing.current().inserted() > PackPolicy.MAX_INSERTED_FACTS) {
            throw new IllegalStateException("the rules inserted more than " + PackPolicy.MAX_INSERTED_FACTS + " facts in one evaluation");
        }
    }

    @Override
    public void objectUpdated(ObjectUpdatedEvent event) {
        // facts are immutable; nothing to count
    }

    @Override
    public void objectDeleted(ObjectDeletedEvent event) {
        // nothing to count
    }

    @Override
    public void beforeMatchFired(BeforeMatchFiredEvent event) {
        if (Thread.currentThread().isInterrupted()) {
            event.getKieRuntime().halt();
            return;
        }
        Rule rule = event.getMatch().getRule();
        RuleInfo info = rules.get(rule);
        if (info == null) {
            info = new RuleInfo(rule.getName(), 0, null);
        }
        Firing.current().enter(info.name(), info.salience(), info.description());
    }
}
