package dev.npukit.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which modules a PEFT LoRA config adapts, and with which rank and alpha, decided as PEFT's
 * {@code check_target_module_exists} and {@code get_pattern_key} decide them. Module names are the
 * base model's, e.g. {@code model.layers.3.self_attn.q_proj}.
 *
 * <ul>
 * <li>{@code target_modules} as a string is a regular expression that must match the whole name;
 *     as a list, a name is targeted when it equals an entry or ends with "." + an entry;
 *     {@code "all-linear"} targets every projection (never the LM head);
 * <li>{@code exclude_modules} (string or list, same matching) removes names;
 * <li>{@code layers_to_transform} (an index or a list), with a list {@code target_modules} matched by
 *     suffix, keeps only those layers; the layer index is the number after {@code layers_pattern}
 *     (or after any name segment when the pattern is absent);
 * <li>{@code rank_pattern} and {@code alpha_pattern}: the first key (in file order) equal to the
 *     name, or matching the name's end after a dot as a regular expression, gives the module's
 *     rank or alpha; {@code r} and {@code lora_alpha} otherwise.
 * </ul>
 */
final class LoraTargets {
    private final String targetRegex;
    private final List<String> targetList;
    private final String excludeRegex;
    private final List<String> excludeList;
    private final List<Integer> layers;
    private final List<String> layersPattern;
    private final Map<String, Integer> rankPattern;
    private final Map<String, Double> alphaPattern;

    private LoraTargets(String targetRegex, List<String> targetList, String excludeRegex, List<String> excludeList,
            List<Integer> layers, List<String> layersPattern, Map<String, Integer> rankPattern,
            Map<String, Double> alphaPattern) {
        this.targetRegex = targetRegex;
        this.targetList = targetList;
        this.excludeRegex = excludeRegex;
        this.excludeList = excludeList;
        this.layers = layers;
        this.layersPattern = layersPattern;
        this.rankPattern = rankPattern;
        this.alphaPattern = alphaPattern;
    }

    /**
     * The targeting fields of an {@code adapter_config.json}.
     *
     * @throws SafetensorsException naming the field that has the wrong type or an invalid pattern
     */
    static LoraTargets read(Path file, JsonNode cfg) {
        JsonNode t = cfg.get("target_modules");
        if (t == null || t.isNull()) {
            throw new SafetensorsException(file, "field 'target_modules' is missing (a list of module names or a regex)");
        }
        String targetRegex = null;
        List<String> targetList = null;
        if (t.isTextual() && t.asText().equals("all-linear")) {
            targetList = new ArrayList<>();
            for (String proj : LlamaWeights.PROJECTIONS) {
                targetList.add(proj.substring(proj.indexOf('.') + 1));
            }
        } else if (t.isTextual()) {
            targetRegex = regex(file, "target_modules", t.asText());
        } else {
            targetList = strings(file, "target_modules", t);
        }
        JsonNode e = cfg.get("exclude_modules");
        String excludeRegex = null;
        List<String> excludeList = List.of();
        if (e != null && e.isTextual()) {
            excludeRegex = regex(file, "exclude_modules", e.asText());
        } else if (e != null && !e.isNull()) {
            excludeList = strings(file, "exclude_modules", e);
        }
        List<Integer> layers = null;
        JsonNode l = cfg.get("layers_to_transform");
        if (l != null && l.isIntegralNumber()) {
            layers = List.of(l.asInt());
        } else if (l != null && l.isArray() && !l.isEmpty()) {
            layers = new ArrayList<>();
            for (JsonNode i : l) {
                if (!i.isIntegralNumber()) {
                    throw new SafetensorsException(file, "field 'layers_to_transform' must be an integer or a list of integers");
                }
                layers.add(i.asInt());
            }
        } else if (l != null && !l.isNull() && !l.isArray()) {
            throw new SafetensorsException(file, "field 'layers_to_transform' must be an integer or a list of integers");
        }
        JsonNode p = cfg.get("layers_pattern");
        List<String> layersPattern = p == null || p.isNull() ? List.of()
                : p.isTextual() ? List.of(p.asText()) : strings(file, "layers_pattern", p);
        Map<String, Integer> rankPattern = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> en : patterns(file, cfg, "rank_pattern").entrySet()) {
            JsonNode v = en.getValue();
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0) {
                throw new SafetensorsException(file, "field 'rank_pattern' entry '" + en.getKey()
                        + "' is not a positive integer");
            }
            regex(file, "rank_pattern", en.getKey());
            rankPattern.put(en.getKey(), v.asInt());
        }
        Map<String, Double> alphaPattern = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> en : patterns(file, cfg, "alpha_pattern").entrySet()) {
            if (!en.getValue().isNumber()) {
                throw new SafetensorsException(file, "field 'alpha_pattern' entry '" + en.getKey() + "' is not a number");
            }
            regex(file, "alpha_pattern", en.getKey());
            alphaPattern.put(en.getKey(), en.getValue().asDouble());
        }
        return new LoraTargets(targetRegex, targetList, excludeRegex, excludeList, layers, layersPattern, rankPattern,
                alphaPattern);
    }

    /** Whether PEFT puts LoRA on the module of this full name. */
    boolean targets(String module) {
        if (excludeRegex != null ? module.matches(excludeRegex) : matchesList(excludeList, module)) {
            return false;
        }
        if (targetRegex != null) {
            return module.matches(targetRegex);
        }
        if (targetList.contains(module)) {
            return true;
        }
        if (!matchesList(targetList, module)) {
            return false;
        }
        if (layers == null) {
            return true;
        }
        Integer index = null;
        if (layersPattern.isEmpty()) {
            index = layerIndex(module, "[^.]*");
        } else {
            for (String pattern : layersPattern) {
                index = layerIndex(module, Pattern.quote(pattern));
                if (index != null) {
                    break;
                }
            }
        }
        return index != null && layers.contains(index);
    }

    /** The module's rank: the first matching rank_pattern entry, else {@code r}. */
    int rank(String module, int r) {
        String key = patternKey(rankPattern.keySet(), module);
        return key == null ? r : rankPattern.get(key);
    }

    /** The module's alpha: the first matching alpha_pattern entry, else {@code lora_alpha}. */
    double alpha(String module, double alpha) {
        String key = patternKey(alphaPattern.keySet(), module);
        return key == null ? alpha : alphaPattern.get(key);
    }

    private static String patternKey(Iterable<String> keys, String module) {
        for (String key : keys) {
            if (key.equals(module) || module.matches("(.*\\.)?(" + key + ")")) {
                return key;
            }
        }
        return null;
    }

    private static boolean matchesList(List<String> names, String module) {
        for (String n : names) {
            if (module.equals(n) || module.endsWith("." + n)) {
                return true;
            }
        }
        return false;
    }

    /** PEFT's {@code re.match(".*\.{pattern}\.(\d+)\.", key)}: the last such index, greedy as Python's. */
    private static Integer layerIndex(String module, String pattern) {
        Matcher m = Pattern.compile(".*\\." + pattern + "\\.(\\d+)\\..*").matcher(module);
        return m.matches() ? Integer.valueOf(m.group(1)) : null;
    }

    private static String regex(Path file, String field, String regex) {
        try {
            Pattern.compile(regex);
            return regex;
        } catch (PatternSyntaxException e) {
            throw new SafetensorsException(file, "field '" + field + "': '" + regex + "' is not a valid regular expression");
        }
    }

    private static List<String> strings(Path file, String field, JsonNode node) {
        if (!node.isArray()) {
            throw new SafetensorsException(file, "field '" + field + "' must be a string or a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw new SafetensorsException(file, "field '" + field + "' must be a string or a list of strings");
            }
            out.add(n.asText());
        }
        return out;
    }

    private static Map<String, JsonNode> patterns(Path file, JsonNode cfg, String field) {
        JsonNode n = cfg.get(field);
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new SafetensorsException(file, "field '" + field + "' must be an object of module patterns");
        }
        n.fields().forEachRemaining(en -> out.put(en.getKey(), en.getValue()));
        return out;
    }
}
