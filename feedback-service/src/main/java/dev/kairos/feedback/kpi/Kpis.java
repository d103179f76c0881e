package dev.kairos.feedback.kpi;

/**
 * The KPIs of one group (or of everything, as {@code total}) in a time window.
 *
 * @param key                 the group: a rule name, variant, segment or placement
 * @param impressions         impression outcomes
 * @param clicks              click outcomes
 * @param dismisses           dismiss outcomes
 * @param conversions         conversion outcomes
 * @param ctr                 clicks per impression
 * @param dismissRate         dismisses per impression
 * @param conversionRate      conversions per impression
 * @param microConversionRate share of users who saw content and engaged with it (a click or conversion)
 * @param friction            share of shown triggered (non-fallback) content that was dismissed with no click or conversion
 * @param intentAccuracy      how well the intent score predicted engagement
 */
public record Kpis(String key, long impressions, long clicks, long dismisses, long conversions, Rate ctr, Rate dismissRate,
                   Rate conversionRate, Rate microConversionRate, Rate friction, IntentAccuracy intentAccuracy) {}
