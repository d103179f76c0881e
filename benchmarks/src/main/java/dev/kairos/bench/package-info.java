/** JMH benchmarks of the decision engine against Drools as commonly embedded and Easy Rules (MVEL). */
package dev.kairos.bench;
