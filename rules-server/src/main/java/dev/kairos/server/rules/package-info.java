/** Rule lifecycle: upload versions, validate, activate with a canary, promote, roll back. */
package dev.kairos.server.rules;
