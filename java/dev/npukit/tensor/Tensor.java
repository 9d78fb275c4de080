package dev.npukit.tensor;

import dev.npukit.internal.KernelCall;
import dev.npukit.internal.MemoryAccount;
import dev.npukit.internal.Storage;
import dev.npukit.internal.TensorAccess;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A row-major, contiguous n-dimensional array living in one backend's memory.
 *
 * <p>Create tensors with {@code Backend.allocate}; close them (try-with-resources) to free the
 * memory. Copy data in and out with the {@code copyFrom}/{@code to...Array} methods; float
 * arrays are converted to and from F16/BF16 with round-to-nearest-even. {@link #copyFrom(Buffer)}
 * and {@link #copyTo(Buffer)} move the elements of a java.nio buffer without conversion and
 * without an intermediate array.
 *
 * <p>Lifetime. The memory is reference-counted: the allocated tensor holds one reference, each
 * {@link #view view} one more, and each kernel call and each copy in or out holds one while it
 * runs. {@link #close()} marks the tensor closed and drops its reference; the memory is freed
 * when the last reference goes. So closing a tensor that a kernel is using on another thread is
 * safe: the call completes on the memory it holds, and a call or copy that starts after the
 * close fails (a kernel call with an {@link IllegalArgumentException} "name: tensor is closed",
 * a copy with an {@link IllegalStateException}). A view holds the memory itself: it stays
 * usable after its parent is closed, until it is closed too; closing a view never frees the
 * parent. A tensor or view that becomes unreachable without being closed has its reference
 * dropped by a {@link java.lang.ref.Cleaner} after garbage collection; with
 * {@code -Dnpukit.leakDetection=true} (or {@code NPUKIT_LEAK_DETECTION=true}) each such tensor is
 * logged with the stack that created it (System.Logger {@code dev.npukit.tensor}, WARNING).
 *
 * <p>Not thread-safe for concurrent writes; concurrent reads are fine, and {@code close()} may
 * run on any thread at any time.
 */
public final class Tensor implements AutoCloseable {
    /**
     * The largest I32 tensor whose contents {@link #copyFrom(int[])} keeps on the host: index
     * tensors (positions, LoRA indices, block tables) are far smaller, and a larger copy would
     * double the memory of bulk data.
     */
    static final int HOST_COPY_MAX_ELEMENTS = 1 << 16;

    private final String device;
    private final DType dtype;
    private final long[] shape;
    private final long numel;
    private final SharedStorage storage;
    private final long byteOffset;
    private final StorageReference reference;
    private volatile boolean closed;

    /** A tensor holding one reference on {@code storage}, which the caller has counted for it. */
    private Tensor(String device, DType dtype, long[] shape, SharedStorage storage, long byteOffset) {
        this.device = device;
        this.dtype = dtype;
        this.shape = shape;
        this.numel = numel(shape);
        this.storage = storage;
        this.byteOffset = byteOffset;
        this.reference = new StorageReference(this, storage);
    }

    static {
        TensorAccess.install(new TensorAccess.Hooks() {
            @Override
            public Tensor wrap(String device, DType dtype, long[] shape, Storage storage, MemoryAccount account) {
                return Tensor.wrap(device, dtype, shape, storage, account);
            }

            @Override
            public Storage storage(Tensor t) {
                return t.storage.storage;
            }

            @Override
            public long byteOffset(Tensor t) {
                return t.byteOffset;
            }

            @Override
            public boolean tryHold(Tensor t) {
                return t.tryHold();
            }

            @Override
            public void unhold(Tensor t) {
                t.unhold();
            }

            @Override
            public int[] hostInts(Tensor t) {
                return t.storage.hostInts;
            }

            @Override
            public void dropHostInts(Tensor t) {
                t.storage.hostInts = null;
            }
        });
    }

    /** See {@link TensorAccess#wrap}: backends create tensors through it. */
    private static Tensor wrap(String device, DType dtype, long[] shape, Storage storage, MemoryAccount account) {
        Objects.requireNonNull(storage, "storage");
        try {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(dtype, "dtype");
            Objects.requireNonNull(account, "account");
            long[] s = checkShape(shape);
            long bytes = numel(s) * dtype.byteSize();
            if (bytes > storage.byteSize()) {
                throw new IllegalArgumentException("storage of " + storage.byteSize() + " bytes is too small for "
                        + dtype + Arrays.toString(s));
            }
            return new Tensor(device, dtype, s, new SharedStorage(storage, account), 0);
        } catch (RuntimeException | Error e) {
            storage.close();
            throw e;
        }
    }

    /**
     * Number of elements of a shape. A shape with a zero dimension is empty however large the
     * others are, so the product is only formed when no dimension is zero.
     *
     * @param shape the dimensions
     * @return their product; 1 for rank 0
     * @throws IllegalArgumentException on a negative dimension
     * @throws ArithmeticException on a product beyond 64 bits
     */
    public static long numel(long... shape) {
        boolean empty = false;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            empty |= d == 0;
        }
        if (empty) {
            return 0;
        }
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static long[] checkShape(long[] shape) {
        Objects.requireNonNull(shape, "shape");
        numel(shape);
        return shape.clone();
    }

    /**
     * The backend that owns the memory.
     *
     * @return its name: "reference", "cpu" or "ascend"
     */
    public String device() {
        return device;
    }

    /**
     * The element type.
     *
     * @return the dtype, fixed at allocation
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The dimensions, outermost first.
     *
     * @return a copy of the shape
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The number of dimensions.
     *
     * @return the length of {@link #shape()}
     */
    public int rank() {
        return shape.length;
    }

    /**
     * Size of one dimension.
     *
     * @param i the dimension, 0 for the outermost; negative counts from the end (-1 is the last)
     * @return its size
     * @throws ArrayIndexOutOfBoundsException if {@code i} is not in [-rank, rank)
     */
    public long dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /**
     * The number of elements.
     *
     * @return the product of the shape
     */
    public long numel() {
        return numel;
    }

    /**
     * The size of the elements in bytes.
     *
     * @return {@link #numel()} times the dtype's element size
     */
    public long byteSize() {
        return numel * dtype.byteSize();
    }

    /**
     * Whether {@link #close()} was called on this tensor (a view is not closed by its parent's close).
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * A tensor of the given shape over this tensor's elements starting at {@code elementOffset}.
     * It shares the memory and holds it: it stays usable after this tensor is closed, and its
     * own close frees the memory only if nothing else holds it. Close views too (or the cleaner
     * will, after garbage collection).
     *
     * @param elementOffset the first element of the view, counted in this tensor's elements
     * @param newShape the view's shape; its elements must fit from {@code elementOffset} on
     * @return the view, on the same device with the same dtype
     * @throws IllegalArgumentException if the view does not fit or a dimension is negative
     * @throws IllegalStateException if this tensor is closed
     */
    public Tensor view(long elementOffset, long... newShape) {
        long[] s = checkShape(newShape);
        long n = numel(s);
        if (elementOffset < 0 || elementOffset > numel || n > numel - elementOffset) {
            throw new IllegalArgumentException("view of " + n + " elements at offset " + elementOffset
                    + " does not fit in a tensor of " + numel + " elements");
        }
        SharedStorage held = use();
        try {
            // The reference taken by use() becomes the view's own.
            return new Tensor(device, dtype, s, held, byteOffset + elementOffset * dtype.byteSize());
        } catch (RuntimeException | Error e) {
            held.release();
            throw e;
        }
    }

    /**
     * The same elements with another shape: a {@link #view view} of all of them.
     *
     * @param newShape a shape with as many elements as this tensor
     * @return the view; close it too
     * @throws IllegalArgumentException if the element counts differ
     * @throws IllegalStateException if this tensor is closed
     */
    public Tensor reshape(long... newShape) {
        if (numel(newShape) != numel) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to "
                    + Arrays.toString(newShape));
        }
        return view(0, newShape);
    }

    // ---- copy in ----

    /**
     * Copies floats into the whole tensor, converting to its dtype (round to nearest even for
     * F16 and BF16).
     *
     * @param src one value per element, row-major
     * @throws IllegalArgumentException if {@code src} has another length than {@link #numel()}
     * @throws IllegalStateException if the tensor is I32 or closed
     */
    public void copyFrom(float[] src) {
        requireLength(src.length);
        writeFloats(0, src);
    }

    /**
     * Copies ints into the whole I32 tensor. A tensor that spans its whole memory (not a view) of
     * at most 65,536 elements keeps a host copy of {@code src}: reads, kernel argument checks and
     * the ascend launchers' index checks use it instead of copying back from the device. Any
     * other write to the memory (through this tensor or a view, or by a kernel) drops the copy.
     *
     * @param src one value per element, row-major
     * @throws IllegalArgumentException if {@code src} has another length than {@link #numel()}
     * @throws IllegalStateException if the tensor is not I32, or is closed
     */
    public void copyFrom(int[] src) {
        requireLength(src.length);
        writeInts(0, src);
        if (byteOffset == 0 && byteSize() == storage.byteSize() && src.length <= HOST_COPY_MAX_ELEMENTS) {
            storage.hostInts = src.clone();
        }
    }

    /**
     * Copies raw 16-bit patterns into the whole F16 or BF16 tensor, unchanged.
     *
     * @param src one bit pattern per element, row-major
     * @throws IllegalArgumentException if {@code src} has another length than {@link #numel()}
     * @throws IllegalStateException if the tensor is not F16 or BF16, or is closed
     */
    public void copyFromBits(short[] src) {
        requireLength(src.length);
        require16Bit();
        ByteBuffer b = newBuffer(src.length * 2L);
        b.asShortBuffer().put(src);
        write(byteOffset, b);
    }

    /**
     * Writes floats into consecutive elements, converting to the tensor's float dtype.
     *
     * @param offset the first element written
     * @param src the values
     * @throws IndexOutOfBoundsException if the elements do not lie inside the tensor
     * @throws IllegalStateException if the tensor is I32 or closed
     */
    public void writeFloats(long offset, float[] src) {
        requireRange(offset, src.length);
        ByteBuffer b = newBuffer((long) src.length * dtype.byteSize());
        switch (dtype) {
            case F32:
                b.asFloatBuffer().put(src);
                break;
            case F16:
                for (float f : src) {
                    b.putShort(HalfFloats.floatToF16(f));
                }
                b.flip();
                break;
            case BF16:
                for (float f : src) {
                    b.putShort(HalfFloats.floatToBf16(f));
                }
                b.flip();
                break;
            default:
                throw new IllegalStateException("tensor is " + dtype + ", not a float type; use copyFrom(int[])");
        }
        write(byteOffset + offset * dtype.byteSize(), b);
    }

    /**
     * Writes ints into consecutive elements of an I32 tensor.
     *
     * @param offset the first element written
     * @param src the values
     * @throws IndexOutOfBoundsException if the elements do not lie inside the tensor
     * @throws IllegalStateException if the tensor is not I32, or is closed
     */
    public void writeInts(long offset, int[] src) {
        if (dtype != DType.I32) {
            throw new IllegalStateException("tensor is " + dtype + ", not I32");
        }
        requireRange(offset, src.length);
        ByteBuffer b = newBuffer(src.length * 4L);
        b.asIntBuffer().put(src);
        write(byteOffset + offset * 4, b);
    }

    /**
     * Copies the remaining elements of {@code src} into the whole tensor, without conversion and
     * without an intermediate array, and advances {@code src}'s position to its limit (as a
     * java.nio bulk get does). The buffer may be heap or direct:
     * <ul>
     *   <li>{@link FloatBuffer} for an F32 tensor, {@link IntBuffer} for I32, {@link ShortBuffer}
     *       (the raw 16-bit patterns) for F16 and BF16: one element per tensor element, read as
     *       Java values whatever the buffer's byte order;</li>
     *   <li>{@link ByteBuffer} for any dtype: {@link #byteSize()} raw bytes in the tensor's layout,
     *       row-major with little-endian elements (the native order of x86-64 and AArch64); the
     *       buffer's {@link ByteBuffer#order() order} is not used.</li>
     * </ul>
     * Native memory is written with one bulk put into a view of it; device memory from a direct
     * ByteBuffer as it is, from other buffers through one native staging buffer.
     *
     * @param src the data; its remaining elements must number {@link #numel()} (bytes: {@link #byteSize()})
     * @throws IllegalArgumentException "src: ..." if {@code src} is null, of a type that does not
     *         fit the dtype, or holds another number of elements
     * @throws IllegalStateException if the tensor is closed
     */
    public void copyFrom(Buffer src) {
        checkBuffer("src", src);
        transfer(src, true);
    }

    /**
     * Copies the whole tensor into {@code dst}, without conversion and without an intermediate
     * array, and advances {@code dst}'s position to its limit (as a java.nio bulk put does).
     * Buffer types and byte layout as in {@link #copyFrom(Buffer)}.
     *
     * @param dst the destination; its remaining elements must number {@link #numel()} (bytes:
     *        {@link #byteSize()})
     * @throws IllegalArgumentException "dst: ..." if {@code dst} is null, read-only, of a type that
     *         does not fit the dtype, or has room for another number of elements
     * @throws IllegalStateException if the tensor is closed
     */
    public void copyTo(Buffer dst) {
        checkBuffer("dst", dst);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst: is read-only");
        }
        transfer(dst, false);
    }

    /** Moves all elements between the storage and {@code b}, in copies of at most {@link Storage#MAX_COPY_BYTES}. */
    private void transfer(Buffer b, boolean in) {
        SharedStorage held = use();
        int limit = b.limit();
        try {
            int perCopy = Storage.MAX_COPY_BYTES / Storage.elementBytes(b);
            long offset = byteOffset;
            if (in) {
                held.hostInts = null;
            }
            while (b.position() < limit) {
                int n = Math.min(perCopy, limit - b.position());
                b.limit(b.position() + n);
                if (in) {
                    held.storage.write(offset, b);
                } else {
                    held.storage.read(offset, b);
                }
                offset += (long) n * Storage.elementBytes(b);
            }
        } finally {
            b.limit(limit);
            held.release();
        }
    }

    /** {@code b} is a buffer type that fits the dtype, with exactly this tensor's elements remaining. */
    private void checkBuffer(String name, Buffer b) {
        if (b == null) {
            throw new IllegalArgumentException(name + ": is null");
        }
        boolean fits = b instanceof ByteBuffer
                || (b instanceof FloatBuffer && dtype == DType.F32)
                || (b instanceof IntBuffer && dtype == DType.I32)
                || (b instanceof ShortBuffer && (dtype == DType.F16 || dtype == DType.BF16));
        if (!fits) {
            String expected = switch (dtype) {
                case F32 -> "FloatBuffer";
                case I32 -> "IntBuffer";
                case F16, BF16 -> "ShortBuffer (the raw bits)";
            };
            throw new IllegalArgumentException(name + ": a " + b.getClass().getSimpleName() + " does not fit a "
                    + dtype + " tensor; use a " + expected + " or a ByteBuffer (raw bytes)");
        }
        long want = b instanceof ByteBuffer ? byteSize() : numel;
        if (b.remaining() != want) {
            throw new IllegalArgumentException(name + ": " + b.remaining() + (b instanceof ByteBuffer ? " bytes"
                    : " elements") + " remaining, the tensor " + dtype + Arrays.toString(shape) + " has " + want);
        }
    }

    // ---- copy out ----

    /**
     * All elements as floats.
     *
     * @return the elements, row-major: F16/BF16 widened exactly, I32 converted as by a cast
     * @throws IllegalStateException if the tensor is closed or too large for a Java array
     */
    public float[] toFloatArray() {
        return readFloats(0, checkedArrayLength());
    }

    /**
     * All elements of an I32 tensor.
     *
     * @return the elements, row-major
     * @throws IllegalStateException if the tensor is not I32, is closed or too large for a Java array
     */
    public int[] toIntArray() {
        return readInts(0, checkedArrayLength());
    }

    /**
     * All raw 16-bit patterns of an F16 or BF16 tensor.
     *
     * @return the bit patterns, row-major
     * @throws IllegalStateException if the tensor is not F16 or BF16, is closed or too large for a Java array
     */
    public short[] toBits() {
        require16Bit();
        short[] out = new short[checkedArrayLength()];
        ByteBuffer b = newBuffer(out.length * 2L);
        read(byteOffset, b);
        b.flip();
        b.asShortBuffer().get(out);
        return out;
    }

    /**
     * Consecutive elements as floats.
     *
     * @param offset the first element read
     * @param count how many
     * @return the elements, converted as by {@link #toFloatArray()}
     * @throws IndexOutOfBoundsException if the elements do not lie inside the tensor
     * @throws IllegalStateException if the tensor is closed
     */
    public float[] readFloats(long offset, int count) {
        requireRange(offset, count);
        ByteBuffer b = newBuffer((long) count * dtype.byteSize());
        read(byteOffset + offset * dtype.byteSize(), b);
        b.flip();
        float[] out = new float[count];
        switch (dtype) {
            case F32:
                b.asFloatBuffer().get(out);
                break;
            case F16:
                for (int i = 0; i < count; i++) {
                    out[i] = HalfFloats.f16ToFloat(b.getShort());
                }
                break;
            case BF16:
                for (int i = 0; i < count; i++) {
                    out[i] = HalfFloats.bf16ToFloat(b.getShort());
                }
                break;
            case I32:
                for (int i = 0; i < count; i++) {
                    out[i] = b.getInt();
                }
                break;
            default:
                throw new AssertionError(dtype);
        }
        return out;
    }

    /**
     * Consecutive elements of an I32 tensor.
     *
     * @param offset the first element read
     * @param count how many
     * @return the elements
     * @throws IndexOutOfBoundsException if the elements do not lie inside the tensor
     * @throws IllegalStateException if the tensor is not I32, or is closed
     */
    public int[] readInts(long offset, int count) {
        if (dtype != DType.I32) {
            throw new IllegalStateException("tensor is " + dtype + ", not I32");
        }
        requireRange(offset, count);
        int[] out = new int[count];
        SharedStorage held = use();
        try {
            int[] kept = held.hostInts;
            if (kept != null) {
                System.arraycopy(kept, Math.toIntExact(byteOffset / 4 + offset), out, 0, count);
                return out;
            }
        } finally {
            held.release();
        }
        ByteBuffer b = newBuffer(count * 4L);
        read(byteOffset + offset * 4, b);
        b.flip();
        b.asIntBuffer().get(out);
        return out;
    }

    /**
     * Marks the tensor closed and drops its reference on the memory, which is freed now if
     * nothing else (a view, a running kernel call or copy) holds it, else when the last holder
     * lets go. Idempotent; safe from any thread.
     */
    @Override
    public void close() {
        closed = true;
        reference.release();
    }

    /**
     * Takes a reference for a kernel call ({@code KernelCall}): false if the tensor is closed.
     * The reference is taken before the closed flag is read, so a concurrent close either comes
     * first (and this fails) or cannot free the memory until {@link #unhold()}.
     */
    private boolean tryHold() {
        if (!storage.retain()) {
            return false;
        }
        if (closed && !KernelCall.heldByThisThread(this)) {
            storage.release();
            return false;
        }
        return true;
    }

    private void unhold() {
        storage.release();
    }

    @Override
    public String toString() {
        return "Tensor[" + device + ", " + dtype + Arrays.toString(shape) + (isClosed() ? ", closed" : "") + "]";
    }

    /** Holds the memory for one copy or view; throws if the tensor is closed. Release it after. */
    private SharedStorage use() {
        if (!tryHold()) {
            throw new IllegalStateException("tensor " + dtype + Arrays.toString(shape) + " is closed");
        }
        return storage;
    }

    private void read(long offset, ByteBuffer dst) {
        SharedStorage held = use();
        try {
            held.storage.read(offset, dst);
        } finally {
            held.release();
        }
    }

    private void write(long offset, ByteBuffer src) {
        SharedStorage held = use();
        try {
            held.hostInts = null;
            held.storage.write(offset, src);
        } finally {
            held.release();
        }
    }

    private void require16Bit() {
        if (dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalStateException("tensor is " + dtype + ", not F16 or BF16");
        }
    }

    private void requireLength(int length) {
        if (length != numel) {
            throw new IllegalArgumentException("array of " + length + " elements for a tensor of " + numel
                    + " elements " + Arrays.toString(shape));
        }
    }

    private void requireRange(long offset, long count) {
        if (offset < 0 || count < 0 || offset > numel || count > numel - offset) {
            throw new IndexOutOfBoundsException("elements [" + offset + ", " + (offset + count)
                    + ") outside a tensor of " + numel + " elements");
        }
    }

    private int checkedArrayLength() {
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + numel + " elements does not fit in a Java array");
        }
        return (int) numel;
    }

    private static ByteBuffer newBuffer(long bytes) {
        return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
