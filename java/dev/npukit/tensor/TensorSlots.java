package dev.npukit.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * The tensor arguments of a kernel, as its argument record declares them once: their names in order, and which
 * of them the kernel writes. {@link TensorArgs} answers its count, names and written flags from it. Immutable.
 */
public final class TensorSlots {
    private final String[] names;
    private final boolean[] written;

    private TensorSlots(String[] names, boolean[] written) {
        this.names = names;
        this.written = written;
    }

    /**
     * Slots with these names, none written yet.
     *
     * @param names the argument names, in the order of {@link TensorArgs#tensor(int)}, distinct
     * @return the slots
     * @throws IllegalArgumentException if a name is null or given twice
     */
    public static TensorSlots of(String... names) {
        for (int i = 0; i < names.length; i++) {
            if (names[i] == null || Arrays.asList(names).subList(0, i).contains(names[i])) {
                throw new IllegalArgumentException("names: entry " + i + " is " + names[i] + ", null or repeated");
            }
        }
        return new TensorSlots(names.clone(), new boolean[names.length]);
    }

    /**
     * These slots with the named ones marked as written by the kernel.
     *
     * @param outputs names of slots the kernel writes (outputs, or arguments updated in place)
     * @return new slots
     * @throws IllegalArgumentException if a name is not a slot
     */
    public TensorSlots written(String... outputs) {
        boolean[] w = written.clone();
        for (String name : outputs) {
            int i = Arrays.asList(names).indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("outputs: " + name + " is not one of " + List.of(names));
            }
            w[i] = true;
        }
        return new TensorSlots(names, w);
    }

    /**
     * These slots and one more at the end.
     *
     * @param name the new slot's name, not one of these
     * @param isWritten whether the kernel writes it
     * @return new slots
     * @throws IllegalArgumentException if the name is null or already a slot
     */
    public TensorSlots plus(String name, boolean isWritten) {
        String[] n = Arrays.copyOf(names, names.length + 1);
        n[names.length] = name;
        TensorSlots more = of(n);
        System.arraycopy(written, 0, more.written, 0, written.length);
        more.written[names.length] = isWritten;
        return more;
    }

    /** {@return the number of slots} */
    public int count() {
        return names.length;
    }

    /**
     * The name of one slot.
     *
     * @param i the slot, in [0, {@link #count()})
     * @return its name
     */
    public String name(int i) {
        return names[i];
    }

    /**
     * Whether the kernel writes one slot.
     *
     * @param i the slot, in [0, {@link #count()})
     * @return true for an output or an argument updated in place
     */
    public boolean written(int i) {
        return written[i];
    }
}
