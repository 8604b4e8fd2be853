type Less<'a, T> = &'a dyn Fn(&T, &T) -> bool;

/// `sort.Sort`.
pub(super) fn sort<T>(data: &mut [T], less: Less<'_, T>) {
    let n = data.len();
    if n <= 1 {
        return;
    }
    let limit = usize::BITS - n.leading_zeros();
    pdqsort(data, less, 0, n, limit as usize);
}

/// `sort.Stable` / `sort.SliceStable`.
pub(super) fn stable<T>(data: &mut [T], less: Less<'_, T>) {
    let n = data.len();
    let mut block = 20;
    let (mut a, mut b) = (0, block);
    while b <= n {
        insertion_sort(data, less, a, b);
        a = b;
        b += block;
    }
    insertion_sort(data, less, a, n);
    while block < n {
        a = 0;
        b = 2 * block;
        while b <= n {
            sym_merge(data, less, a, a + block, b);
            a = b;
            b += 2 * block;
        }
        let m = a + block;
        if m < n {
            sym_merge(data, less, a, m, n);
        }
        block *= 2;
    }
}

fn lt<T>(data: &[T], less: Less<'_, T>, i: usize, j: usize) -> bool {
    less(&data[i], &data[j])
}

fn insertion_sort<T>(data: &mut [T], less: Less<'_, T>, a: usize, b: usize) {
    for i in a + 1..b {
        let mut j = i;
        while j > a && lt(data, less, j, j - 1) {
            data.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn sift_down<T>(data: &mut [T], less: Less<'_, T>, lo: usize, hi: usize, first: usize) {
    let mut root = lo;
    loop {
        let mut child = 2 * root + 1;
        if child >= hi {
            return;
        }
        if child + 1 < hi && lt(data, less, first + child, first + child + 1) {
            child += 1;
        }
        if !lt(data, less, first + root, first + child) {
            return;
        }
        data.swap(first + root, first + child);
        root = child;
    }
}

fn heap_sort<T>(data: &mut [T], less: Less<'_, T>, a: usize, b: usize) {
    let first = a;
    let hi = b - a;
    for i in (0..hi.div_ceil(2)).rev() {
        sift_down(data, less, i, hi, first);
    }
    for i in (0..hi).rev() {
        data.swap(first, first + i);
        sift_down(data, less, 0, i, first);
    }
}

#[derive(PartialEq, Eq)]
enum Hint {
    Unknown,
    Increasing,
    Decreasing,
}

fn pdqsort<T>(data: &mut [T], less: Less<'_, T>, mut a: usize, mut b: usize, mut limit: usize) {
    const MAX_INSERTION: usize = 12;
    let mut was_balanced = true;
    let mut was_partitioned = true;
    loop {
        let length = b - a;
        if length <= MAX_INSERTION {
            insertion_sort(data, less, a, b);
            return;
        }
        if limit == 0 {
            heap_sort(data, less, a, b);
            return;
        }
        if !was_balanced {
            break_patterns(data, a, b);
            limit -= 1;
        }
        let (mut pivot, mut hint) = choose_pivot(data, less, a, b);
        if hint == Hint::Decreasing {
            data[a..b].reverse();
            pivot = (b - 1) - (pivot - a);
            hint = Hint::Increasing;
        }
        if was_balanced
            && was_partitioned
            && hint == Hint::Increasing
            && partial_insertion_sort(data, less, a, b)
        {
            return;
        }
        if a > 0 && !lt(data, less, a - 1, pivot) {
            a = partition_equal(data, less, a, b, pivot);
            continue;
        }
        let (mid, already) = partition(data, less, a, b, pivot);
        was_partitioned = already;
        let (left, right) = (mid - a, b - mid);
        let threshold = length / 8;
        if left < right {
            was_balanced = left >= threshold;
            pdqsort(data, less, a, mid, limit);
            a = mid + 1;
        } else {
            was_balanced = right >= threshold;
            pdqsort(data, less, mid + 1, b, limit);
            b = mid;
        }
    }
}

fn partition<T>(
    data: &mut [T],
    less: Less<'_, T>,
    a: usize,
    b: usize,
    pivot: usize,
) -> (usize, bool) {
    data.swap(a, pivot);
    // i and j are inclusive bounds; j may step below a + 1, so they are signed.
    let (mut i, mut j) = (a as isize + 1, b as isize - 1);
    let at = |i: isize| i as usize;
    while i <= j && lt(data, less, at(i), a) {
        i += 1;
    }
    while i <= j && !lt(data, less, at(j), a) {
        j -= 1;
    }
    if i > j {
        data.swap(at(j), a);
        return (at(j), true);
    }
    data.swap(at(i), at(j));
    i += 1;
    j -= 1;
    loop {
        while i <= j && lt(data, less, at(i), a) {
            i += 1;
        }
        while i <= j && !lt(data, less, at(j), a) {
            j -= 1;
        }
        if i > j {
            break;
        }
        data.swap(at(i), at(j));
        i += 1;
        j -= 1;
    }
    data.swap(at(j), a);
    (at(j), false)
}

fn partition_equal<T>(
    data: &mut [T],
    less: Less<'_, T>,
    a: usize,
    b: usize,
    pivot: usize,
) -> usize {
    data.swap(a, pivot);
    let (mut i, mut j) = (a as isize + 1, b as isize - 1);
    let at = |i: isize| i as usize;
    loop {
        while i <= j && !lt(data, less, a, at(i)) {
            i += 1;
        }
        while i <= j && lt(data, less, a, at(j)) {
            j -= 1;
        }
        if i > j {
            break;
        }
        data.swap(at(i), at(j));
        i += 1;
        j -= 1;
    }
    at(i)
}

fn partial_insertion_sort<T>(data: &mut [T], less: Less<'_, T>, a: usize, b: usize) -> bool {
    const MAX_STEPS: usize = 5;
    const SHORTEST_SHIFTING: usize = 50;
    let mut i = a + 1;
    for _ in 0..MAX_STEPS {
        while i < b && !lt(data, less, i, i - 1) {
            i += 1;
        }
        if i == b {
            return true;
        }
        if b - a < SHORTEST_SHIFTING {
            return false;
        }
        data.swap(i, i - 1);
        if i - a >= 2 {
            // Go's loop runs down to index 1, not to a + 1.
            let mut j = i - 1;
            while j >= 1 {
                if !lt(data, less, j, j - 1) {
                    break;
                }
                data.swap(j, j - 1);
                j -= 1;
            }
        }
        if b - i >= 2 {
            let mut j = i + 1;
            while j < b {
                if !lt(data, less, j, j - 1) {
                    break;
                }
                data.swap(j, j - 1);
                j += 1;
            }
        }
    }
    false
}

fn break_patterns<T>(data: &mut [T], a: usize, b: usize) {
    let length = b - a;
    if length >= 8 {
        let mut random = length as u64;
        let modulus = 1usize << (usize::BITS - length.leading_zeros());
        let start = a + (length / 4) * 2 - 1;
        for idx in start..=start + 2 {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let mut other = (random as usize) & (modulus - 1);
            if other >= length {
                other -= length;
            }
            data.swap(idx, a + other);
        }
    }
}

fn choose_pivot<T>(data: &mut [T], less: Less<'_, T>, a: usize, b: usize) -> (usize, Hint) {
    const SHORTEST_NINTHER: usize = 50;
    const MAX_SWAPS: usize = 4 * 3;
    let l = b - a;
    let mut swaps = 0;
    let mut i = a + l / 4;
    let mut j = a + l / 4 * 2;
    let mut k = a + l / 4 * 3;
    if l >= 8 {
        if l >= SHORTEST_NINTHER {
            i = median(data, less, i - 1, i, i + 1, &mut swaps);
            j = median(data, less, j - 1, j, j + 1, &mut swaps);
            k = median(data, less, k - 1, k, k + 1, &mut swaps);
        }
        j = median(data, less, i, j, k, &mut swaps);
    }
    match swaps {
        0 => (j, Hint::Increasing),
        MAX_SWAPS => (j, Hint::Decreasing),
        _ => (j, Hint::Unknown),
    }
}

fn order2<T>(
    data: &[T],
    less: Less<'_, T>,
    a: usize,
    b: usize,
    swaps: &mut usize,
) -> (usize, usize) {
    if lt(data, less, b, a) {
        *swaps += 1;
        (b, a)
    } else {
        (a, b)
    }
}

fn median<T>(
    data: &[T],
    less: Less<'_, T>,
    a: usize,
    b: usize,
    c: usize,
    swaps: &mut usize,
) -> usize {
    let (a, b) = order2(data, less, a, b, swaps);
    let (b, _) = order2(data, less, b, c, swaps);
    let (_, b) = order2(data, less, a, b, swaps);
    b
}

fn sym_merge<T>(data: &mut [T], less: Less<'_, T>, a: usize, m: usize, b: usize) {
    if m - a == 1 {
        let (mut i, mut j) = (m, b);
        while i < j {
            let h = (i + j) / 2;
            if lt(data, less, h, a) {
                i = h + 1;
            } else {
                j = h;
            }
        }
        for k in a..i - 1 {
            data.swap(k, k + 1);
        }
        return;
    }
    if b - m == 1 {
        let (mut i, mut j) = (a, m);
        while i < j {
            let h = (i + j) / 2;
            if !lt(data, less, m, h) {
                i = h + 1;
            } else {
                j = h;
            }
        }
        let mut k = m;
        while k > i {
            data.swap(k, k - 1);
            k -= 1;
        }
        return;
    }
    let mid = (a + b) / 2;
    let n = mid + m;
    let (mut start, mut r) = if m > mid { (n - b, mid) } else { (a, m) };
    let p = n - 1;
    while start < r {
        let c = (start + r) / 2;
        if !lt(data, less, p - c, c) {
            start = c + 1;
        } else {
            r = c;
        }
    }
    let end = n - start;
    if start < m && m < end {
        rotate(data, start, m, end);
    }
    if a < start && start < mid {
        sym_merge(data, less, a, start, mid);
    }
    if mid < end && end < b {
        sym_merge(data, less, mid, end, b);
    }
}

fn swap_range<T>(data: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        data.swap(a + i, b + i);
    }
}

fn rotate<T>(data: &mut [T], a: usize, m: usize, b: usize) {
    let mut i = m - a;
    let mut j = b - m;
    while i != j {
        if i > j {
            swap_range(data, m - i, m, j);
            i -= j;
        } else {
            swap_range(data, m - i, m + j - i, i);
            j -= i;
        }
    }
    swap_range(data, m - i, m, i);
}

#[cfg(test)]
mod tests {
    use super::*;

    type Sorter = fn(&mut [(u64, u64)], Less<'_, (u64, u64)>);

    /// 300 keys in 0..7 tagged with their position, sorted by key only: the
    /// checksum of the resulting tag order and a few tags, as Go 1.26 prints them
    /// for `sort.Slice` and for `sort.SliceStable` with a non-strict (`>=`) order.
    fn go_order(sorter: Sorter, strict: bool) -> (u64, [u64; 4]) {
        let mut x: u64 = 88_172_645_463_325_252;
        let mut data: Vec<(u64, u64)> = (0..300)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 7, i)
            })
            .collect();
        if strict {
            sorter(&mut data, &|a, b| a.0 < b.0);
        } else {
            sorter(&mut data, &|a, b| a.0 >= b.0);
        }
        let sum = data.iter().enumerate().fold(0, |s, (i, p)| {
            (s * 31 + p.1 * (i as u64 + 1)) % 1_000_000_007
        });
        (sum, [data[0].1, data[1].1, data[2].1, data[299].1])
    }

    #[test]
    fn sorts_like_go() {
        assert_eq!(go_order(sort, true), (316_416_933, [145, 110, 2, 172]));
        assert_eq!(go_order(stable, false), (410_947_936, [294, 286, 270, 0]));
    }
}
