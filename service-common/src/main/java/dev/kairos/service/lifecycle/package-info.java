/** The services' process lifecycle: ending with the launcher that started them. */
package dev.kairos.service.lifecycle;
