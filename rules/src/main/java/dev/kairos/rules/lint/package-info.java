/** Warnings for packs that compile but probably do not do what their author meant: {@link dev.kairos.rules.lint.PackLinter}. */
package dev.kairos.rules.lint;
