package dev.kairos.rules;

import java.util.Objects;

/**
 * The device a request comes from. All fields are lower-case strings; an unknown value is
 * {@code "unknown"}, never {@code null}, so rules can compare without null checks.
 *
 * <pre>Context( device.type == "mobile", device.os == "ios" )</pre>
 */
public final class Device {
    /** A device about which nothing is known. */
    public static final Device UNKNOWN = new Device("unknown", "unknown", "", "", "");

    private final String type;
    private final String os;
    private final String osVersion;
    private final String model;
    private final String appVersion;

    /**
     * @param type       {@code mobile}, {@code tablet}, {@code desktop}, {@code tv}, {@code iot} or {@code unknown}
     * @param os         {@code ios}, {@code android}, {@code web}, {@code windows}, {@code macos}, {@code linux} or {@code unknown}
     * @param osVersion  free text, empty when unknown
     * @param model      free text, empty when unknown
     * @param appVersion free text, empty when unknown
     */
    public Device(String type, String os, String osVersion, String model, String appVersion) {
        this.type = orUnknown(type);
        this.os = orUnknown(os);
        this.osVersion = osVersion == null ? "" : osVersion;
        this.model = model == null ? "" : model;
        this.appVersion = appVersion == null ? "" : appVersion;
    }

    private static String orUnknown(String s) {
        return s == null || s.isBlank() ? "unknown" : s.toLowerCase(java.util.Locale.ROOT);
    }

    public String getType() { return type; }
    public String getOs() { return os; }
    public String getOsVersion() { return osVersion; }
    public String getModel() { return model; }
    public String getAppVersion() { return appVersion; }

    /** True for phones and tablets. */
    public boolean isMobile() { return "mobile".equals(type) || "tablet".equals(type); }

    @Override public boolean equals(Object o) {
        return o instanceof Device d && type.equals(d.type) && os.equals(d.os) && osVersion.equals(d.osVersion)
                && model.equals(d.model) && appVersion.equals(d.appVersion);
    }
    @Override public int hashCode() { return Objects.hash(type, os, osVersion, model, appVersion); }
    @Override public String toString() { return "Device{" + type + "/" + os + "}"; }
}
