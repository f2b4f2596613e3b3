package org.cvmfs.suite.gateway.api;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which methods a path accepts, read from the resources' own annotations, for the {@code Allow}
 * header of a 405 reply (JAX-RS leaves it empty; upstream's router fills it).
 */
final class AllowedMethods {
    private static final List<Class<?>> RESOURCES = List.of(RootResource.class, RepositoryResource.class,
            LeaseResource.class, PayloadResource.class, AdminResource.class);
    private static final Pattern PARAMETER = Pattern.compile("\\{\\s*\\w+\\s*(?::\\s*([^}]+))?}");
    private static final List<Route> ROUTES = routes();

    private record Route(Pattern path, String method) {
    }

    private AllowedMethods() {
    }

    static Set<String> forPath(String path) {
        Set<String> methods = new TreeSet<>();
        for (Route r : ROUTES) {
            if (r.path().matcher(path).matches()) {
                methods.add(r.method());
            }
        }
        if (!methods.isEmpty()) {
            methods.add("OPTIONS");
        }
        return methods;
    }

    private static List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (Class<?> resource : RESOURCES) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method m : resource.getDeclaredMethods()) {
                for (Annotation a : m.getAnnotations()) {
                    HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
                    if (http != null) {
                        Path sub = m.getAnnotation(Path.class);
                        routes.add(new Route(toRegex(join(base, sub == null ? "" : sub.value())), http.value()));
                    }
                }
            }
        }
        return routes;
    }

    private static String join(String base, String sub) {
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return sub.isEmpty() ? b : b + "/" + (sub.startsWith("/") ? sub.substring(1) : sub);
    }

    private static Pattern toRegex(String template) {
        StringBuilder regex = new StringBuilder();
        Matcher m = PARAMETER.matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            regex.append('(').append(m.group(1) == null ? "[^/]+" : m.group(1).trim()).append(')');
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return Pattern.compile(regex.toString());
    }
}
