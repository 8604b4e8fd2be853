//! Sprig's arithmetic (`numeric.go` and the math entries of `functions.go`): int64 math
//! over spf13/cast conversions, and the `*f` functions over shopspring/decimal.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, Zero};

use super::conv::{int_arg, int_list, to_float64, to_int64};
use crate::func::{FuncError, FuncMap};
use crate::value::Value;

pub(super) fn register(m: &mut FuncMap) {
    m.add("atoi", "func(a string) int", |_, a| {
        Ok(Value::int(super::conv::atoi_lenient(super::conv::str_arg(
            a, 0,
        ))))
    });
    m.add("int64", "func(v interface {}) int64", |_, a| {
        Ok(Value::int64(to_int64(&a[0])))
    });
    m.add("int", "func(v interface {}) int", |_, a| {
        Ok(Value::int(to_int64(&a[0])))
    });
    m.add("float64", "func(v interface {}) float64", |_, a| {
        Ok(Value::float(to_float64(&a[0])))
    });
    m.add("toDecimal", "func(v interface {}) int64", |_, a| {
        let text = crate::fmt::sprint(std::slice::from_ref(&a[0]));
        Ok(Value::int64(
            super::conv::parse_int(&text, 8, 64).unwrap_or(0),
        ))
    });
    m.add("seq", "func(params ...int) string", |_, a| {
        let p: Vec<i64> = a.iter().filter_map(Value::as_i64).collect();
        Ok(Value::string(seq(&p)))
    });
    m.add("until", "func(count int) []int", |_, a| {
        let count = int_arg(a, 0);
        Ok(int_list(until_step(
            0,
            count,
            if count < 0 { -1 } else { 1 },
        )))
    });
    m.add("untilStep", "func(start, stop, step int) []int", |_, a| {
        Ok(int_list(until_step(
            int_arg(a, 0),
            int_arg(a, 1),
            int_arg(a, 2),
        )))
    });
    m.add("add1", "func(i interface {}) int64", |_, a| {
        Ok(Value::int64(to_int64(&a[0]).wrapping_add(1)))
    });
    m.add("add", "func(i ...interface {}) int64", |_, a| {
        Ok(Value::int64(
            a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
        ))
    });
    m.add("sub", "func(a, b interface {}) int64", |_, a| {
        Ok(Value::int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    m.add("div", "func(a, b interface {}) int64", |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(DIVIDE_BY_ZERO.into());
        }
        Ok(Value::int64(to_int64(&a[0]).wrapping_div(d)))
    });
    m.add("mod", "func(a, b interface {}) int64", |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(DIVIDE_BY_ZERO.into());
        }
        Ok(Value::int64(to_int64(&a[0]).wrapping_rem(d)))
    });
    m.add(
        "mul",
        "func(a interface {}, v ...interface {}) int64",
        |_, a| {
            Ok(Value::int64(
                a[1..]
                    .iter()
                    .fold(to_int64(&a[0]), |acc, v| acc.wrapping_mul(to_int64(v))),
            ))
        },
    );
    m.add("randInt", "func(min, max int) int", |_, a| {
        let (min, max) = (int_arg(a, 0), int_arg(a, 1));
        let n = max.wrapping_sub(min);
        if n <= 0 {
            return Err("invalid argument to Intn".into());
        }
        Ok(Value::int(
            super::crypto::random_below(n as u64) as i64 + min,
        ))
    });
    m.add("add1f", "func(i interface {}) float64", |_, a| {
        decimal_op(&a[0], &[Value::int(1)], Decimal::add).map(Value::float)
    });
    m.add("addf", "func(i ...interface {}) float64", |_, a| {
        decimal_op(&Value::float(0.0), a, Decimal::add).map(Value::float)
    });
    m.add(
        "subf",
        "func(a interface {}, v ...interface {}) float64",
        |_, a| decimal_op(&a[0], &a[1..], Decimal::sub).map(Value::float),
    );
    m.add(
        "divf",
        "func(a interface {}, v ...interface {}) float64",
        |_, a| {
            let mut acc = Decimal::from_f64(to_float64(&a[0]))?;
            for v in &a[1..] {
                acc = acc.div(&Decimal::from_f64(to_float64(v))?)?;
            }
            Ok(Value::float(acc.to_f64()))
        },
    );
    m.add(
        "mulf",
        "func(a interface {}, v ...interface {}) float64",
        |_, a| decimal_op(&a[0], &a[1..], Decimal::mul).map(Value::float),
    );
    for name in ["biggest", "max"] {
        m.add(
            name,
            "func(a interface {}, i ...interface {}) int64",
            |_, a| {
                Ok(Value::int64(
                    a[1..].iter().map(to_int64).fold(to_int64(&a[0]), i64::max),
                ))
            },
        );
    }
    m.add(
        "min",
        "func(a interface {}, i ...interface {}) int64",
        |_, a| {
            Ok(Value::int64(
                a[1..].iter().map(to_int64).fold(to_int64(&a[0]), i64::min),
            ))
        },
    );
    m.add(
        "maxf",
        "func(a interface {}, i ...interface {}) float64",
        |_, a| {
            Ok(Value::float(
                a[1..]
                    .iter()
                    .map(to_float64)
                    .fold(to_float64(&a[0]), go_max),
            ))
        },
    );
    m.add(
        "minf",
        "func(a interface {}, i ...interface {}) float64",
        |_, a| {
            Ok(Value::float(
                a[1..]
                    .iter()
                    .map(to_float64)
                    .fold(to_float64(&a[0]), go_min),
            ))
        },
    );
    m.add("ceil", "func(a interface {}) float64", |_, a| {
        Ok(Value::float(to_float64(&a[0]).ceil()))
    });
    m.add("floor", "func(a interface {}) float64", |_, a| {
        Ok(Value::float(to_float64(&a[0]).floor()))
    });
    m.add(
        "round",
        "func(a interface {}, p int, rOpt ...float64) float64",
        |_, a| {
            let round_on = a.get(2).and_then(Value::as_f64).unwrap_or(0.5);
            Ok(Value::float(round(
                to_float64(&a[0]),
                int_arg(a, 1),
                round_on,
            )))
        },
    );
}

const DIVIDE_BY_ZERO: &str = "runtime error: integer divide by zero";

/// Go's `math.Max`: NaN wins, and +0 beats -0.
fn go_max(x: f64, y: f64) -> f64 {
    if x.is_infinite() && x > 0.0 || y.is_infinite() && y > 0.0 {
        return f64::INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && x == y {
        return if x.is_sign_negative() { y } else { x };
    }
    if x > y { x } else { y }
}

/// Go's `math.Min`.
fn go_min(x: f64, y: f64) -> f64 {
    if x.is_infinite() && x < 0.0 || y.is_infinite() && y < 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && x == y {
        return if x.is_sign_negative() { x } else { y };
    }
    if x < y { x } else { y }
}

/// Sprig's `round`: rounds up when the fraction at `places` reaches `round_on`.
fn round(val: f64, places: i64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * val;
    // Go's math.Modf: the fraction keeps the sign of the input.
    let frac = digit - digit.trunc();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

/// Sprig's `untilStep`.
pub(super) fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut v = Vec::new();
    if stop < start {
        if step >= 0 {
            return v;
        }
        let mut i = start;
        while i > stop {
            v.push(i);
            i += step;
        }
        return v;
    }
    if step <= 0 {
        return v;
    }
    let mut i = start;
    while i < stop {
        v.push(i);
        i += step;
    }
    v
}

/// Sprig's `seq`, like the Unix command.
fn seq(params: &[i64]) -> String {
    let list = match *params {
        [end] => {
            let inc = if end < 1 { -1 } else { 1 };
            until_step(1, end + inc, inc)
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return String::new();
                }
            }
            until_step(start, end + inc, step)
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(start, end + step, step)
        }
        _ => return String::new(),
    };
    list.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn decimal_op(
    first: &Value,
    rest: &[Value],
    op: fn(&Decimal, &Decimal) -> Decimal,
) -> Result<f64, FuncError> {
    let mut acc = Decimal::from_f64(to_float64(first))?;
    for v in rest {
        acc = op(&acc, &Decimal::from_f64(to_float64(v))?);
    }
    Ok(acc.to_f64())
}

/// shopspring/decimal's `Decimal`: `value × 10^exp`, exact.
#[derive(Debug, Clone, PartialEq)]
struct Decimal {
    value: BigInt,
    exp: i32,
}

/// shopspring's `DivisionPrecision`.
const DIVISION_PRECISION: i32 = 16;

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that reads back as `f`.
    fn from_f64(f: f64) -> Result<Decimal, FuncError> {
        if !f.is_finite() {
            let shown = crate::fmt::format_float(f, b'g', -1, 64);
            return Err(format!("Cannot create a Decimal from {shown}").into());
        }
        if f == 0.0 {
            return Ok(Decimal {
                value: BigInt::zero(),
                exp: 0,
            });
        }
        // Rust's `{:e}` prints the shortest round-trip digits: "-1.2345e-5".
        let text = format!("{f:e}");
        let (mant, exp) = text.split_once('e').expect("{:e} has an exponent");
        let exp: i32 = exp.parse().expect("integer exponent");
        let digits: String = mant
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        let frac_len = mant.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
        Ok(Decimal {
            value: digits.parse().expect("digits"),
            exp: exp - frac_len,
        })
    }

    fn rescaled(&self, exp: i32) -> BigInt {
        debug_assert!(exp <= self.exp);
        &self.value * BigInt::from(10u8).pow((self.exp - exp) as u32)
    }

    fn add(&self, o: &Decimal) -> Decimal {
        let exp = self.exp.min(o.exp);
        Decimal {
            value: self.rescaled(exp) + o.rescaled(exp),
            exp,
        }
    }

    fn sub(&self, o: &Decimal) -> Decimal {
        let exp = self.exp.min(o.exp);
        Decimal {
            value: self.rescaled(exp) - o.rescaled(exp),
            exp,
        }
    }

    fn mul(&self, o: &Decimal) -> Decimal {
        Decimal {
            value: &self.value * &o.value,
            exp: self.exp + o.exp,
        }
    }

    /// `Div`: `DivRound(o, 16)`, rounding half away from zero.
    fn div(&self, o: &Decimal) -> Result<Decimal, FuncError> {
        if o.value.is_zero() {
            return Err("decimal division by 0".into());
        }
        let scale = -DIVISION_PRECISION;
        let e = self.exp as i64 - o.exp as i64 - scale as i64;
        let ten = BigInt::from(10u8);
        let (aa, bb, rest_exp) = if e < 0 {
            (
                self.value.clone(),
                &o.value * ten.pow((-e) as u32),
                self.exp,
            )
        } else {
            (
                &self.value * ten.pow(e as u32),
                o.value.clone(),
                scale + o.exp,
            )
        };
        // Go's big.Int QuoRem truncates toward zero.
        let (q, r) = aa.div_rem(&bb);
        let q = Decimal {
            value: q,
            exp: scale,
        };
        let r2 = Decimal {
            value: r.abs() * 2,
            exp: rest_exp + DIVISION_PRECISION,
        };
        let o_abs = Decimal {
            value: o.value.abs(),
            exp: o.exp,
        };
        if r2.cmp_value(&o_abs) == std::cmp::Ordering::Less {
            return Ok(q);
        }
        let unit = Decimal {
            value: BigInt::from(1),
            exp: -DIVISION_PRECISION,
        };
        if self.value.sign() != o.value.sign() {
            Ok(q.sub(&unit))
        } else {
            Ok(q.add(&unit))
        }
    }

    fn cmp_value(&self, o: &Decimal) -> std::cmp::Ordering {
        let exp = self.exp.min(o.exp);
        self.rescaled(exp).cmp(&o.rescaled(exp))
    }

    /// `Float64()`: the nearest float64 (Go converts the exact rational).
    fn to_f64(&self) -> f64 {
        format!("{}e{}", self.value, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(f: f64) -> Decimal {
        Decimal::from_f64(f).unwrap()
    }

    #[test]
    fn decimal_arithmetic_is_exact_like_shopspring() {
        assert_eq!(d(0.1).add(&d(0.2)).to_f64(), 0.3);
        assert_eq!(d(1.5).add(&d(2.2)).add(&d(3.0)).to_f64(), 6.7);
        assert_eq!(
            d(5.0).div(&d(4.0)).unwrap().div(&d(2.0)).unwrap().to_f64(),
            0.625
        );
        assert_eq!(
            d(1.2).mul(&d(2.4)).mul(&d(10.0)).mul(&d(4.0)).to_f64(),
            115.2
        );
        assert_eq!(d(1.0).div(&d(3.0)).unwrap().to_f64(), 0.3333333333333333);
        assert_eq!(d(2.0).div(&d(3.0)).unwrap().to_f64(), 0.6666666666666667);
        assert_eq!(d(-2.0).div(&d(3.0)).unwrap().to_f64(), -0.6666666666666667);
        assert_eq!(
            d(1.0).div(&d(0.0)).unwrap_err().message(),
            "decimal division by 0"
        );
    }

    #[test]
    fn seq_and_until_match_sprig() {
        assert_eq!(seq(&[0, 1, 3]), "0 1 2 3");
        assert_eq!(seq(&[0, 3, 10]), "0 3 6 9");
        assert_eq!(seq(&[3, 3, 2]), "");
        assert_eq!(seq(&[3, -3, 2]), "3");
        assert_eq!(seq(&[-5]), "1 0 -1 -2 -3 -4 -5");
        assert_eq!(seq(&[0]), "1 0");
        assert_eq!(seq(&[0, -4]), "0 -1 -2 -3 -4");
        assert_eq!(until_step(0, -10, -2), [0, -2, -4, -6, -8]);
    }

    #[test]
    fn rounds_like_sprig() {
        assert_eq!(round(123.555555, 3, 0.5), 123.556);
        assert_eq!(round(123.5555, 3, 0.5), 123.556);
        assert_eq!(round(123.500001, 0, 0.5), 124.0);
        assert_eq!(round(123.49999999, 0, 0.5), 123.0);
        assert_eq!(round(123.2329999, 2, 0.5), 123.23);
        assert_eq!(round(123.233, 2, 0.5), 123.23);
        assert_eq!(round(-1.5, 0, 0.5), -2.0);
    }
}
