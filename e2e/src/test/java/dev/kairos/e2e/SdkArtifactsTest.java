package dev.kairos.e2e;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SDK artifacts as a build tool consumes them, checked on what the build produced: POMs that
 * stand alone (no server parent, no Micronaut, versions pinned), jars with the licence and the
 * shrinking rules, sources and javadoc jars, and an .aar with its manifest and consumer rules.
 */
class SdkArtifactsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String VERSION = "0.1.0-SNAPSHOT";

    @Test
    void theSdkPomsStandAloneAndNameNoServerArtifact() throws Exception {
        Element parent = pom("sdk-parent/pom.xml");
        assertThat(parent.getElementsByTagName("parent").getLength()).as("sdk-parent inherits nothing").isZero();
        for (String module : List.of("sdk-java", "sdk-android")) {
            Element pom = pom(module + "/pom.xml");
            Element p = (Element) pom.getElementsByTagName("parent").item(0);
            assertThat(text(p, "artifactId")).as(module + "'s parent").isEqualTo("kairos-sdk-parent");
        }
        for (String file : List.of("sdk-parent/pom.xml", "sdk-java/pom.xml", "sdk-android/pom.xml")) {
            assertThat(Files.readString(ROOT.resolve(file)).toLowerCase()).as(file).doesNotContain("micronaut").doesNotContain("kairos-parent<");
        }
        // Every managed dependency and plugin of the SDK parent has a version of its own.
        for (String tag : List.of("dependency", "plugin")) {
            var nodes = parent.getElementsByTagName(tag);
            for (int i = 0; i < nodes.getLength(); i++) {
                Element e = (Element) nodes.item(i);
                if (e.getParentNode().getParentNode().getNodeName().matches("dependencyManagement|pluginManagement")
                        || tag.equals("plugin")) {
                    assertThat(text(e, "version")).as(text(e, "artifactId") + " is pinned").isNotBlank();
                }
            }
        }
        assertThat(text(parent, "url")).isNotBlank();
        assertThat(parent.getElementsByTagName("license").getLength()).isEqualTo(1);
        assertThat(parent.getElementsByTagName("scm").getLength()).isEqualTo(1);
        assertThat(parent.getElementsByTagName("developer").getLength()).isPositive();
        assertThat(Files.readString(ROOT.resolve("sdk-parent/pom.xml"))).contains("project.build.outputTimestamp");
    }

    @Test
    void theJarsCarryTheLicenceAndTheShrinkingRulesWithSourcesAndJavadocBeside() throws Exception {
        Path core = ROOT.resolve("sdk-java/target/kairos-sdk-java-" + VERSION + ".jar");
        assertThat(entries(core)).contains("META-INF/LICENSE", "META-INF/proguard/kairos-sdk-java.pro", "dev/kairos/sdk/KairosFake.class");
        for (String module : List.of("sdk-java", "sdk-android")) {
            String base = module + "/target/kairos-" + module + "-" + VERSION;
            assertThat(entries(ROOT.resolve(base + "-sources.jar"))).anySatisfy(e -> assertThat(e).endsWith(".java"));
            assertThat(entries(ROOT.resolve(base + "-javadoc.jar"))).contains("index.html");
        }
        assertThat(entries(ROOT.resolve("sdk-android/target/kairos-sdk-android-" + VERSION + ".jar"))).contains("META-INF/LICENSE");
    }

    @Test
    void theAarHasItsManifestClassesAndConsumerRules() throws Exception {
        Path aar = ROOT.resolve("sdk-android/target/kairos-sdk-android-" + VERSION + ".aar");
        assertThat(entries(aar)).contains("AndroidManifest.xml", "classes.jar", "proguard.txt", "R.txt");
        try (ZipFile zip = new ZipFile(aar.toFile())) {
            String manifest = new String(zip.getInputStream(zip.getEntry("AndroidManifest.xml")).readAllBytes());
            assertThat(manifest).contains("package=\"dev.kairos.android\"").contains("android.permission.INTERNET").contains("minSdkVersion=\"26\"");
        }
    }

    static Element pom(String file) throws Exception {
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve(file).toFile());
        return d.getDocumentElement();
    }

    /** The text of {@code e}'s direct child {@code tag}, or "" when it has none. */
    static String text(Element e, String tag) {
        for (var n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag)) return c.getTextContent().trim();
        }
        return "";
    }

    static List<String> entries(Path zip) throws Exception {
        assertThat(zip).exists();
        List<String> out = new ArrayList<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (var e = z.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                out.add(entry.getName());
            }
        }
        return out;
    }
}
