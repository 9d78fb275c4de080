package dev.npukit.sqlalign;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Numbers template tokens and n-grams so that profiles are plain count arrays. Token strings get small
 * ints; an n-gram gets an int id through a trie keyed by (id of its prefix, last token), so each n-gram
 * of a window costs one hash lookup and no string is built. Profiles are comparable only when built
 * in the same space. Not thread-safe: one space is filled by one thread at a time.
 */
public final class NgramSpace {
    /** The id of the empty n-gram, the root of the trie. */
    private static final int ROOT = 0;

    private final Map<String, Integer> tokenIds = new HashMap<>();
    private final List<String> tokens = new ArrayList<>();
    private boolean[] tokenIsKeyword = new boolean[64];
    private byte[] tokenParenDelta = new byte[64];
    private boolean[] tokenIsComma = new boolean[64];

    private final LongIntMap children = new LongIntMap(1 << 16);
    private int[] parent = new int[1 << 16];
    private int[] lastToken = new int[1 << 16];
    private int size = 1;

    /**
     * The number of n-gram ids handed out so far, plus one for the root.
     *
     * @return one past the highest id; ids run from 1 to {@code size() - 1}
     */
    public int size() {
        return size;
    }

    /**
     * The id of a template token, adding it if new.
     *
     * @param token one template token, e.g. {@code SELECT} or {@code (}
     * @return its id, &gt;= 0; ids are handed out in order of first appearance
     */
    public int tokenId(String token) {
        Integer id = tokenIds.get(token);
        if (id != null) {
            return id;
        }
        int fresh = tokens.size();
        tokens.add(token);
        tokenIds.put(token, fresh);
        if (fresh == tokenIsKeyword.length) {
            tokenIsKeyword = Arrays.copyOf(tokenIsKeyword, fresh * 2);
            tokenParenDelta = Arrays.copyOf(tokenParenDelta, fresh * 2);
            tokenIsComma = Arrays.copyOf(tokenIsComma, fresh * 2);
        }
        tokenIsKeyword[fresh] = SqlKeywords.isKeyword(token);
        tokenParenDelta[fresh] = (byte) (token.equals("(") ? 1 : token.equals(")") ? -1 : 0);
        tokenIsComma[fresh] = token.equals(",");
        return fresh;
    }

    /**
     * The token ids of a template string, adding new tokens.
     *
     * @param template tokens separated by single spaces, as {@link SqlTemplate#of} gives
     * @return one id per token, in order; empty for an empty template
     */
    public int[] tokenIds(String template) {
        if (template.isEmpty()) {
            return new int[0];
        }
        String[] parts = template.split(" ");
        int[] ids = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
            ids[k] = tokenId(parts[k]);
        }
        return ids;
    }

    /**
     * Calls {@code action} with the id of every n-gram occurrence of {@code template} (token ids) with
     * 1 &lt;= n &lt;= maxN that passes docs/sqlalign.md's filter: it contains a keyword, neither starts nor ends
     * with a comma, and its parentheses balance (never more closing than opening, equal at the end).
     * New n-grams get new ids.
     *
     * @param template the template's token ids, from {@link #tokenIds(String)}
     * @param maxN the longest n-gram, in tokens
     * @param action called once per occurrence with the n-gram's id
     */
    public void forEachNgram(int[] template, int maxN, IntConsumer action) {
        for (int start = 0; start < template.length; start++) {
            if (tokenIsComma[template[start]]) {
                continue;
            }
            int node = ROOT;
            int depth = 0;
            boolean keyword = false;
            int end = Math.min(template.length, start + maxN);
            for (int j = start; j < end; j++) {
                int tok = template[j];
                depth += tokenParenDelta[tok];
                if (depth < 0) {
                    break; // an unmatched ')' stays unmatched in every longer n-gram from this start
                }
                node = child(node, tok);
                keyword |= tokenIsKeyword[tok];
                if (keyword && depth == 0 && !tokenIsComma[tok]) {
                    action.accept(node);
                }
            }
        }
    }

    private int child(int node, int token) {
        long key = ((long) node << 32) | token;
        int id = children.get(key);
        if (id >= 0) {
            return id;
        }
        id = size++;
        if (id == parent.length) {
            parent = Arrays.copyOf(parent, id * 2);
            lastToken = Arrays.copyOf(lastToken, id * 2);
        }
        parent[id] = node;
        lastToken[id] = token;
        children.putNew(key, id);
        return id;
    }

    /**
     * The id of an n-gram given as text; never adds one.
     *
     * @param ngram tokens separated by single spaces
     * @return its id, or -1 if never seen
     */
    public int find(String ngram) {
        int node = ROOT;
        for (String part : ngram.split(" ")) {
            Integer tok = tokenIds.get(part);
            if (tok == null) {
                return -1;
            }
            node = children.get(((long) node << 32) | tok);
            if (node < 0) {
                return -1;
            }
        }
        return node == ROOT ? -1 : node;
    }

    /**
     * The text of an n-gram.
     *
     * @param id an n-gram id, 1 to {@code size() - 1}
     * @return its tokens joined by single spaces
     * @throws IllegalArgumentException if {@code id} is not an n-gram id of this space
     */
    public String text(int id) {
        if (id <= ROOT || id >= size) {
            throw new IllegalArgumentException("id: " + id + " is not an n-gram id of this space (1.." + (size - 1) + ")");
        }
        List<String> parts = new ArrayList<>();
        for (int node = id; node != ROOT; node = parent[node]) {
            parts.add(tokens.get(lastToken[node]));
        }
        Collections.reverse(parts);
        return String.join(" ", parts);
    }

    /**
     * The length of an n-gram.
     *
     * @param id an n-gram id of this space
     * @return its number of tokens; 0 for the root id 0
     */
    public int length(int id) {
        int n = 0;
        for (int node = id; node != ROOT; node = parent[node]) {
            n++;
        }
        return n;
    }
}
