package dev.kairos.service.docs;

import io.micronaut.context.ApplicationContext;
import io.micronaut.web.router.Router;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a service's OpenAPI document must agree with, for the services' {@code OpenApiTest}s:
 * operations are compared as {@code "GET /v1/rules/versions/{id}"} strings.
 */
public final class OpenApiContract {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    /** {@code `POST /v1/decide`} and the like, in backticks; a query string is left out. */
    private static final Pattern MENTION = Pattern.compile("`(GET|POST|PUT|DELETE|PATCH) (/[A-Za-z0-9_{}./-]*)[^`]*`");

    private OpenApiContract() {}

    /** Every operation of an OpenAPI document. */
    @SuppressWarnings("unchecked")
    public static Set<String> operations(String yaml) {
        Map<String, Object> doc = new Yaml(new LoaderOptions()).load(yaml);
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");
        Set<String> out = new TreeSet<>();
        paths.forEach((path, item) -> item.keySet().stream().filter(METHODS::contains)
                .forEach(m -> out.add(m.toUpperCase(java.util.Locale.ROOT) + " " + path)));
        return out;
    }

    /**
     * Every route the running application answers (management endpoints included), but for paths
     * under {@code hidden} and the {@code HEAD} routes the framework adds to each {@code GET}.
     */
    public static Set<String> routes(ApplicationContext context, Set<String> hidden) {
        Set<String> out = new TreeSet<>();
        context.getBean(Router.class).uriRoutes().forEach(r -> {
            if ("HEAD".equals(r.getHttpMethodName())) return;
            String template = r.getUriMatchTemplate().toString();
            // An optional segment ("/health{/selector}") is two paths: without it and with it.
            Matcher optional = Pattern.compile("\\{/([A-Za-z0-9_]+)}").matcher(template);
            String base = optional.replaceAll("");
            for (String path : optional.reset().find() ? Set.of(base, optional.replaceAll("/{$1}")) : Set.of(base)) {
                if (path.isEmpty()) path = "/";
                String p = path;
                if (hidden.stream().noneMatch(p::startsWith)) out.add(r.getHttpMethodName() + " " + p);
            }
        });
        return out;
    }

    /** Every {@code `METHOD /path`} docs/api.md names. */
    public static Set<String> mentioned(Path apiMd) {
        Set<String> out = new TreeSet<>();
        Matcher m = MENTION.matcher(read(apiMd));
        while (m.find()) out.add(m.group(1) + " " + m.group(2));
        return out;
    }

    /** Whether {@code path} appears in docs/api.md in backticks, with a method or without. */
    public static boolean pathMentioned(Path apiMd, String path) {
        String text = read(apiMd);
        return text.contains(" " + path + "`") || text.contains("`" + path + "`") || text.contains(" " + path + "?")
                || text.contains("`" + path + "?");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
