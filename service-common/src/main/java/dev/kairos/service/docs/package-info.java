/**
 * The services' API description: {@link dev.kairos.service.docs.OpenApiController} serves the
 * OpenAPI document generated from the controllers, and points to its browsable page.
 */
package dev.kairos.service.docs;
