package dev.npukit.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Each layout's shape, dimension indices and offsets describe one row-major tensor. */
class KvLayoutTest {

    @Test
    void offsetsAreTheRowMajorIndexOfTheLayoutsShape() {
        int blocks = 3;
        int blockSize = 5;
        int heads = 2;
        int dim = 7;
        for (KvLayout layout : KvLayout.values()) {
            long[] shape = layout.shape(blocks, blockSize, heads, dim);
            assertEquals(blockSize, shape[layout.blockSizeDim()], layout.name());
            assertEquals(heads, shape[layout.kvHeadsDim()], layout.name());
            boolean[] seen = new boolean[blocks * blockSize * heads * dim];
            for (int b = 0; b < blocks; b++) {
                for (int j = 0; j < blockSize; j++) {
                    for (int h = 0; h < heads; h++) {
                        long[] index = new long[4];
                        index[0] = b;
                        index[layout.blockSizeDim()] = j;
                        index[layout.kvHeadsDim()] = h;
                        long rowMajor = ((index[0] * shape[1] + index[1]) * shape[2] + index[2]) * shape[3];
                        long offset = layout.offset(b, j, h, blockSize, heads, dim);
                        assertEquals(rowMajor, offset, layout + " block " + b + " slot " + j + " head " + h);
                        for (int e = 0; e < dim; e++) {
                            seen[(int) offset + e] = true;
                        }
                    }
                }
            }
            boolean[] all = new boolean[seen.length];
            java.util.Arrays.fill(all, true);
            assertArrayEquals(all, seen, layout + " covers every element once");
        }
        assertArrayEquals(new long[] {3, 2, 5, 7}, KvLayout.HND.shape(3, 5, 2, 7));
        assertEquals(0, KvLayout.NHD.code());
        assertEquals(1, KvLayout.HND.code());
    }
}
