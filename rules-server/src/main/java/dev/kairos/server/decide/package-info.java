/** {@code POST /v1/decide}: fuse the request's facts, evaluate the routed rules version, answer with explanations. */
package dev.kairos.server.decide;
