/** Named geofences (circles and polygons with a place type) that turn coordinates into places. */
package dev.kairos.rules.geo;
