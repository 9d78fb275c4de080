package dev.npukit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A plain-text table for human-readable command output: numbers right-aligned, text left-aligned. */
final class TextTable {
    private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9][0-9.,]*(e[-+]?[0-9]+)?[%x]?");

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    TextTable(String... header) {
        columns = header.length;
        rows.add(header);
    }

    TextTable row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("cells: " + cells.length + " cells for " + columns + " columns");
        }
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            r[i] = String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    /** The table as text, one line per row and a rule under the header, each line ending in a newline. */
    String render() {
        StringWriter w = new StringWriter();
        PrintWriter p = new PrintWriter(w);
        print(p);
        p.flush();
        return w.toString();
    }

    void print(PrintWriter out) {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (int k = 0; k < rows.size(); k++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = rows.get(k)[i];
                String pad = " ".repeat(width[i] - cell.length());
                line.append(i == 0 ? "" : "  ");
                if (k > 0 && NUMBER.matcher(cell).matches()) {
                    line.append(pad).append(cell);
                } else {
                    line.append(cell).append(i == columns - 1 ? "" : pad);
                }
            }
            out.println(line);
            if (k == 0) {
                int total = 0;
                for (int w : width) {
                    total += w;
                }
                out.println("-".repeat(total + 2 * (columns - 1)));
            }
        }
    }
}
