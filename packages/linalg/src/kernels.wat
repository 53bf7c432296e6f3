;; Graft's dense kernels: float32, WebAssembly SIMD (f32x4), deterministic (no FMA, fixed order).
;; Compiled to kernels-binary.ts by `npm run kernels -w @graft/linalg` (wabt); a test checks the
;; committed binary against this source.
;;
;; Addresses are byte offsets into the exported memory. Matrices are row-major float32 with a row
;; stride (ld, in floats). Rows of the first operand are picked through an int32 index array, so
;; mini-batches and folds need no copies. The reduced length k must be a multiple of 4 (callers pad
;; rows with zeros).
(module
  (memory (export "memory") 1)

  ;; Horizontal sum of an f32x4.
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; z[i*ldz + j] = (acc ? z[i*ldz + j] : 0) + sum_{t<k} a[ai[i]*lda + t] * b[j*ldb + t]
  ;; for i < n, j < m. Blocks of 2 rows of a × 4 rows of b; an odd last row of a is computed twice
  ;; and stored once; missing rows of b repeat the last one and are not stored.
  (func (export "dot") (param $a i32) (param $ai i32) (param $n i32) (param $lda i32)
                       (param $b i32) (param $m i32) (param $ldb i32)
                       (param $k i32) (param $z i32) (param $ldz i32) (param $acc i32)
    (local $i i32) (local $j i32) (local $t i32) (local $kb i32)
    (local $a0 i32) (local $a1 i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $z0 i32) (local $z1 i32) (local $ldbb i32)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local $x0 v128) (local $x1 v128) (local $v v128)
    (local.set $kb (i32.shl (local.get $k) (i32.const 2)))
    (local.set $ldbb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $a0 (i32.add (local.get $a)
        (i32.shl (i32.mul (i32.load (i32.add (local.get $ai) (i32.shl (local.get $i) (i32.const 2)))) (local.get $lda)) (i32.const 2))))
      (local.set $z0 (i32.add (local.get $z) (i32.shl (i32.mul (local.get $i) (local.get $ldz)) (i32.const 2))))
      (if (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $n))
        (then
          (local.set $a1 (i32.add (local.get $a)
            (i32.shl (i32.mul (i32.load (i32.add (local.get $ai) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 2)))) (local.get $lda)) (i32.const 2))))
          (local.set $z1 (i32.add (local.get $z0) (i32.shl (local.get $ldz) (i32.const 2)))))
        (else
          (local.set $a1 (local.get $a0))
          (local.set $z1 (local.get $z0))))
      (local.set $j (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_s (local.get $j) (local.get $m)))
        (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $ldbb))))
        (local.set $b1 (select (i32.add (local.get $b0) (local.get $ldbb)) (local.get $b0) (i32.lt_s (i32.add (local.get $j) (i32.const 1)) (local.get $m))))
        (local.set $b2 (select (i32.add (local.get $b1) (local.get $ldbb)) (local.get $b1) (i32.lt_s (i32.add (local.get $j) (i32.const 2)) (local.get $m))))
        (local.set $b3 (select (i32.add (local.get $b2) (local.get $ldbb)) (local.get $b2) (i32.lt_s (i32.add (local.get $j) (i32.const 3)) (local.get $m))))
        (local.set $s00 (v128.const i32x4 0 0 0 0)) (local.set $s01 (v128.const i32x4 0 0 0 0))
        (local.set $s02 (v128.const i32x4 0 0 0 0)) (local.set $s03 (v128.const i32x4 0 0 0 0))
        (local.set $s10 (v128.const i32x4 0 0 0 0)) (local.set $s11 (v128.const i32x4 0 0 0 0))
        (local.set $s12 (v128.const i32x4 0 0 0 0)) (local.set $s13 (v128.const i32x4 0 0 0 0))
        (local.set $t (i32.const 0))
        (block $dots_done (loop $dots
          (br_if $dots_done (i32.ge_s (local.get $t) (local.get $kb)))
          (local.set $x0 (v128.load (i32.add (local.get $a0) (local.get $t))))
          (local.set $x1 (v128.load (i32.add (local.get $a1) (local.get $t))))
          (local.set $v (v128.load (i32.add (local.get $b0) (local.get $t))))
          (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $x0) (local.get $v))))
          (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $x1) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $b1) (local.get $t))))
          (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $x0) (local.get $v))))
          (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $x1) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $b2) (local.get $t))))
          (local.set $s02 (f32x4.add (local.get $s02) (f32x4.mul (local.get $x0) (local.get $v))))
          (local.set $s12 (f32x4.add (local.get $s12) (f32x4.mul (local.get $x1) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $b3) (local.get $t))))
          (local.set $s03 (f32x4.add (local.get $s03) (f32x4.mul (local.get $x0) (local.get $v))))
          (local.set $s13 (f32x4.add (local.get $s13) (f32x4.mul (local.get $x1) (local.get $v))))
          (local.set $t (i32.add (local.get $t) (i32.const 16)))
          (br $dots)))
        (if (i32.ne (local.get $z1) (local.get $z0))
          (then (call $store (i32.add (local.get $z1) (i32.shl (local.get $j) (i32.const 2))) (local.get $j) (local.get $m) (local.get $acc)
            (local.get $s10) (local.get $s11) (local.get $s12) (local.get $s13))))
        (call $store (i32.add (local.get $z0) (i32.shl (local.get $j) (i32.const 2))) (local.get $j) (local.get $m) (local.get $acc)
          (local.get $s00) (local.get $s01) (local.get $s02) (local.get $s03))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $rows))))

  ;; Store (or add, with acc) the horizontal sums of up to four accumulators at z[0..3], only for
  ;; columns j + q < m.
  (func $store (param $z i32) (param $j i32) (param $m i32) (param $acc i32)
                (param $s0 v128) (param $s1 v128) (param $s2 v128) (param $s3 v128)
    (call $put (local.get $z) (local.get $acc) (call $hsum (local.get $s0)))
    (if (i32.lt_s (i32.add (local.get $j) (i32.const 1)) (local.get $m))
      (then (call $put (i32.add (local.get $z) (i32.const 4)) (local.get $acc) (call $hsum (local.get $s1)))))
    (if (i32.lt_s (i32.add (local.get $j) (i32.const 2)) (local.get $m))
      (then (call $put (i32.add (local.get $z) (i32.const 8)) (local.get $acc) (call $hsum (local.get $s2)))))
    (if (i32.lt_s (i32.add (local.get $j) (i32.const 3)) (local.get $m))
      (then (call $put (i32.add (local.get $z) (i32.const 12)) (local.get $acc) (call $hsum (local.get $s3))))))

  (func $put (param $z i32) (param $acc i32) (param $value f32)
    (f32.store (local.get $z)
      (select (f32.add (f32.load (local.get $z)) (local.get $value)) (local.get $value) (local.get $acc))))

  ;; out[p*ldo + t] += sum_{q<nq} c[p*cp + q*cq] * s[si[q]*lds + t]   for p < np, t < k.
  ;; Blocks of 4 rows of s (outer: they stay in L1 across all rows of out) × 2 rows of out; missing
  ;; rows of s repeat the last one with coefficient 0; an odd last row of out is updated twice from
  ;; the same old values with the same coefficients (the second store writes the same result).
  (func (export "axpy") (param $out i32) (param $np i32) (param $ldo i32)
                        (param $c i32) (param $cp i32) (param $cq i32)
                        (param $s i32) (param $si i32) (param $nq i32) (param $lds i32) (param $k i32)
    (local $p i32) (local $q i32) (local $t i32) (local $kb i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $o0 i32) (local $o1 i32) (local $p1 i32)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $r0 v128) (local $r1 v128) (local $v v128)
    (local.set $kb (i32.shl (local.get $k) (i32.const 2)))
    (local.set $q (i32.const 0))
    (block $quads_done (loop $quads
      (br_if $quads_done (i32.ge_s (local.get $q) (local.get $nq)))
      (local.set $s0 (call $row (local.get $s) (local.get $si) (local.get $q) (local.get $nq) (local.get $lds)))
      (local.set $s1 (call $row (local.get $s) (local.get $si) (i32.add (local.get $q) (i32.const 1)) (local.get $nq) (local.get $lds)))
      (local.set $s2 (call $row (local.get $s) (local.get $si) (i32.add (local.get $q) (i32.const 2)) (local.get $nq) (local.get $lds)))
      (local.set $s3 (call $row (local.get $s) (local.get $si) (i32.add (local.get $q) (i32.const 3)) (local.get $nq) (local.get $lds)))
      (local.set $p (i32.const 0))
      (block $pairs_done (loop $pairs
        (br_if $pairs_done (i32.ge_s (local.get $p) (local.get $np)))
        (local.set $p1 (select (i32.add (local.get $p) (i32.const 1)) (local.get $p) (i32.lt_s (i32.add (local.get $p) (i32.const 1)) (local.get $np))))
        (local.set $o0 (i32.add (local.get $out) (i32.shl (i32.mul (local.get $p) (local.get $ldo)) (i32.const 2))))
        (local.set $o1 (i32.add (local.get $out) (i32.shl (i32.mul (local.get $p1) (local.get $ldo)) (i32.const 2))))
        (local.set $c00 (call $coef (local.get $c) (local.get $p) (local.get $cp) (local.get $q) (local.get $cq) (local.get $nq)))
        (local.set $c01 (call $coef (local.get $c) (local.get $p) (local.get $cp) (i32.add (local.get $q) (i32.const 1)) (local.get $cq) (local.get $nq)))
        (local.set $c02 (call $coef (local.get $c) (local.get $p) (local.get $cp) (i32.add (local.get $q) (i32.const 2)) (local.get $cq) (local.get $nq)))
        (local.set $c03 (call $coef (local.get $c) (local.get $p) (local.get $cp) (i32.add (local.get $q) (i32.const 3)) (local.get $cq) (local.get $nq)))
        (local.set $c10 (call $coef (local.get $c) (local.get $p1) (local.get $cp) (local.get $q) (local.get $cq) (local.get $nq)))
        (local.set $c11 (call $coef (local.get $c) (local.get $p1) (local.get $cp) (i32.add (local.get $q) (i32.const 1)) (local.get $cq) (local.get $nq)))
        (local.set $c12 (call $coef (local.get $c) (local.get $p1) (local.get $cp) (i32.add (local.get $q) (i32.const 2)) (local.get $cq) (local.get $nq)))
        (local.set $c13 (call $coef (local.get $c) (local.get $p1) (local.get $cp) (i32.add (local.get $q) (i32.const 3)) (local.get $cq) (local.get $nq)))
        (local.set $t (i32.const 0))
        (block $span_done (loop $span
          (br_if $span_done (i32.ge_s (local.get $t) (local.get $kb)))
          (local.set $r0 (v128.load (i32.add (local.get $o0) (local.get $t))))
          (local.set $r1 (v128.load (i32.add (local.get $o1) (local.get $t))))
          (local.set $v (v128.load (i32.add (local.get $s0) (local.get $t))))
          (local.set $r0 (f32x4.add (local.get $r0) (f32x4.mul (local.get $c00) (local.get $v))))
          (local.set $r1 (f32x4.add (local.get $r1) (f32x4.mul (local.get $c10) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $s1) (local.get $t))))
          (local.set $r0 (f32x4.add (local.get $r0) (f32x4.mul (local.get $c01) (local.get $v))))
          (local.set $r1 (f32x4.add (local.get $r1) (f32x4.mul (local.get $c11) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $s2) (local.get $t))))
          (local.set $r0 (f32x4.add (local.get $r0) (f32x4.mul (local.get $c02) (local.get $v))))
          (local.set $r1 (f32x4.add (local.get $r1) (f32x4.mul (local.get $c12) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $s3) (local.get $t))))
          (local.set $r0 (f32x4.add (local.get $r0) (f32x4.mul (local.get $c03) (local.get $v))))
          (local.set $r1 (f32x4.add (local.get $r1) (f32x4.mul (local.get $c13) (local.get $v))))
          (v128.store (i32.add (local.get $o1) (local.get $t)) (local.get $r1))
          (v128.store (i32.add (local.get $o0) (local.get $t)) (local.get $r0))
          (local.set $t (i32.add (local.get $t) (i32.const 16)))
          (br $span)))
        (local.set $p (i32.add (local.get $p) (i32.const 2)))
        (br $pairs)))
      (local.set $q (i32.add (local.get $q) (i32.const 4)))
      (br $quads))))

  ;; Address of row si[q] of s, or of the last row when q is past the end.
  (func $row (param $s i32) (param $si i32) (param $q i32) (param $nq i32) (param $lds i32) (result i32)
    (local.set $q (select (local.get $q) (i32.sub (local.get $nq) (i32.const 1)) (i32.lt_s (local.get $q) (local.get $nq))))
    (i32.add (local.get $s)
      (i32.shl (i32.mul (i32.load (i32.add (local.get $si) (i32.shl (local.get $q) (i32.const 2)))) (local.get $lds)) (i32.const 2))))

  ;; c[p*cp + q*cq] splatted, or 0 when q is past the end.
  (func $coef (param $c i32) (param $p i32) (param $cp i32) (param $q i32) (param $cq i32) (param $nq i32) (result v128)
    (if (result v128) (i32.lt_s (local.get $q) (local.get $nq))
      (then (f32x4.splat (f32.load (i32.add (local.get $c)
        (i32.shl (i32.add (i32.mul (local.get $p) (local.get $cp)) (i32.mul (local.get $q) (local.get $cq))) (i32.const 2))))))
      (else (v128.const i32x4 0 0 0 0))))
)
