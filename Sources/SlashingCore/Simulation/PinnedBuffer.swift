/// A fixed-size buffer whose address never moves, for the C kernels: allocated once, freed with its owner.
///
/// Swift arrays hand out their storage only inside `withUnsafe…` closures, so a call with many arrays nests a
/// closure per array. The kernels' buffers live here instead, and their addresses go into the C argument
/// structs once, when a worker is made. Each buffer is used by one thread at a time (its worker's).
final class PinnedBuffer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(repeating value: Element, count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        pointer.initialize(repeating: value, count: max(1, count))
    }

    /// A pinned copy of `values` (one element at least, so the address is never null).
    convenience init(_ values: [Element], padding: Element) {
        self.init(repeating: padding, count: values.count)
        for (i, v) in values.enumerated() { pointer[i] = v }
    }

    deinit {
        pointer.deinitialize(count: max(1, count))
        pointer.deallocate()
    }

    @inline(__always)
    subscript(i: Int) -> Element {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    /// Elements `range` as a buffer.
    func buffer(_ range: Range<Int>) -> UnsafeMutableBufferPointer<Element> {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return UnsafeMutableBufferPointer(start: pointer + range.lowerBound, count: range.count)
    }

    /// All elements as a buffer.
    var all: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}
