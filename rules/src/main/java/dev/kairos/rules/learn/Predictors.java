package dev.kairos.rules.learn;

import dev.kairos.rules.Profile;
import dev.kairos.rules.Signals;

import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The learned predictive signals: conversion probability and churn risk as logistic models over a
 * small vector of what the signal engine knows about a user ({@link #NAMES}). The feedback service
 * fits them from outcomes (which decisions converted; which users did not come back within 7 days)
 * and publishes them versioned; rules-server scores every known user with them and rules see the
 * scores as {@code Signals.conversionProbability} and {@code Signals.churnRisk}. The same
 * {@link #features} serve fitting (from the signals a decision logged) and serving (from the fused
 * facts), so the two cannot drift apart.
 */
public final class Predictors {
    /** The two models. */
    public static final String CONVERSION = "conversion", CHURN = "churn";

    /** The features' names, in order (the first is the intercept). */
    public static final List<String> NAMES = List.of("bias", "productViews", "cart", "cartHistory", "failedPurchases", "pageViews",
            "scrollDepth", "purchasedInSession", "sessions", "recency", "dwell");

    /** The raw signal values the features are made of: what every decision logs in its {@code signals}. */
    public static final List<String> INPUTS = List.of("productViews", "cartItems", "cartHistory", "failedPurchasesInRow", "pageViews",
            "scrollDepth", "purchasedInSession", "sessions", "recency", "dwellSeconds");

    private Predictors() {}

    /** A fitted model: one coefficient per feature of {@link #NAMES}. */
    public record Model(String kind, String version, double[] coefficients) {
        public Model {
            if (coefficients == null || coefficients.length != NAMES.size()) {
                throw new IllegalArgumentException("a " + kind + " model needs " + NAMES.size() + " coefficients");
            }
            for (double c : coefficients) if (!Double.isFinite(c)) throw new IllegalArgumentException("coefficients must be finite");
            coefficients = coefficients.clone();
        }

        /** The predicted probability for features {@code x}. */
        public double predict(double[] x) {
            double z = 0;
            for (int i = 0; i < x.length; i++) z += coefficients[i] * x[i];
            return 1 / (1 + Math.exp(-Math.max(-30, Math.min(30, z))));
        }
    }

    /** The features of a user from named raw values ({@link #INPUTS}; 0 when absent). */
    public static double[] features(ToDoubleFunction<String> raw) {
        return new double[] {
                1,
                Math.min(raw.applyAsDouble("productViews"), 10) / 10,
                raw.applyAsDouble("cartItems") > 0 ? 1 : 0,
                Math.min(raw.applyAsDouble("cartHistory"), 3) / 3,
                Math.min(raw.applyAsDouble("failedPurchasesInRow"), 5) / 5,
                Math.min(raw.applyAsDouble("pageViews"), 20) / 20,
                clamp(raw.applyAsDouble("scrollDepth")),
                raw.applyAsDouble("purchasedInSession") > 0 ? 1 : 0,
                Math.min(raw.applyAsDouble("sessions"), 20) / 20,
                clamp(raw.applyAsDouble("recency")),
                Math.min(raw.applyAsDouble("dwellSeconds"), 600) / 600};
    }

    /** The features of the fused facts. */
    public static double[] features(Signals s, Profile p) {
        return features(name -> switch (name) {
            case "productViews" -> s.getProductViews();
            case "cartItems" -> s.getCartItems();
            case "cartHistory" -> s.getCartHistory();
            case "failedPurchasesInRow" -> s.getFailedPurchasesInRow();
            case "pageViews" -> s.getPageViews();
            case "scrollDepth" -> s.getScrollDepth();
            case "purchasedInSession" -> s.isPurchasedInSession() ? 1 : 0;
            case "sessions" -> p == null ? 0 : p.getSessions();
            case "recency" -> s.getRecency();
            case "dwellSeconds" -> s.getDwellSeconds();
            default -> 0;
        });
    }

    /** The raw values of {@link #INPUTS} of the fused facts, for logging with a decision. */
    public static Map<String, Double> inputs(Signals s, Profile p) {
        return Map.of("productViews", (double) s.getProductViews(), "cartHistory", (double) s.getCartHistory(),
                "purchasedInSession", s.isPurchasedInSession() ? 1.0 : 0.0, "sessions", p == null ? 0.0 : p.getSessions());
    }

    /**
     * The churn risk until a model is learned: higher for users with few sessions and no cart
     * history, lower for returning buyers. A prior, like the conversion probability's.
     */
    public static double churnPrior(double[] x) {
        double z = 0.4 - 2.0 * x[8] - 1.0 * x[3] - 0.8 * x[7];
        return 1 / (1 + Math.exp(-z));
    }

    private static double clamp(double v) {
        return Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
    }
}
