package dev.kairos.rules.engine.internal;

import org.kie.api.definition.rule.Rule;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;

import java.util.Map;

/** Tells the thread's {@link Firing} which rule is about to fire. One per compiled version. */
public final class FiringListener extends DefaultAgendaEventListener {
    private final Map<Rule, RuleInfo> rules;

    public FiringListener(Map<Rule, RuleInfo> rules) {
        this.rules = rules;
    }

    @Override
    public void beforeMatchFired(BeforeMatchFiredEvent event) {
        Rule rule = event.getMatch().getRule();
        RuleInfo info = rules.get(rule);
        if (info == null) {
            info = new RuleInfo(rule.getName(), 0, null);
        }
        Firing.current().enter(info.name(), info.salience(), info.description());
    }
}
