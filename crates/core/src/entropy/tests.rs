use rand::Rng;

use super::*;

fn random_ids(n: usize, f: impl Fn(&mut rand::rngs::ThreadRng) -> String) -> Vec<String> {
    let mut rng = rand::rng();
    (0..n).map(|_| f(&mut rng)).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn strong_random_ids_clear_the_64_bit_bar() {
    // 128-bit hex ids, like the lab's: the floor estimate stays far above 64 bits.
    let ids = random_ids(200, |r| hex(&r.random::<[u8; 16]>()));
    let e = estimate(&ids).unwrap();
    assert_eq!(e.alphabet, Alphabet::Hex);
    assert_eq!(e.length, 32);
    assert_eq!(e.distinct, 200);
    assert!(e.bits > 90.0 && e.bits <= 128.0, "{e:?}");
    // 256-bit base64url ids too.
    let ids = random_ids(200, |r| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r.random::<[u8; 32]>())
    });
    let e = estimate(&ids).unwrap();
    assert_eq!(e.alphabet, Alphabet::Base64);
    assert!(e.bits > 150.0, "{e:?}");
}

#[test]
fn a_few_random_bits_in_a_long_id_are_found() {
    // 16 random bits padded to 32 hex characters: looks long, is weak.
    let ids = random_ids(200, |r| {
        format!("5e55{:04x}{}", r.random::<u16>(), "0".repeat(24))
    });
    let e = estimate(&ids).unwrap();
    assert!(e.bits <= 17.0, "{e:?}");
    assert!(e.bits >= 8.0, "{e:?}");
}

#[test]
fn sequential_ids_are_weak() {
    let ids: Vec<String> = (1_000_000..1_000_200)
        .map(|i: u64| format!("sess{i:012}"))
        .collect();
    let e = estimate(&ids).unwrap();
    assert!(e.bits < 16.0, "{e:?}");
}

#[test]
fn timestamp_plus_small_random_is_weak() {
    let ids = random_ids(200, |r| {
        format!(
            "{}{:03}",
            1_795_340_000_000u64 + r.random_range(0..50u64),
            r.random_range(0..1000)
        )
    });
    let e = estimate(&ids).unwrap();
    assert_eq!(e.alphabet, Alphabet::Decimal);
    assert!(e.bits < 20.0, "{e:?}");
}

#[test]
fn repeats_bound_the_estimate() {
    // 8 random bits: 200 draws from 256 values repeat a lot.
    let ids = random_ids(200, |r| format!("{:02x}", r.random::<u8>()));
    let e = estimate(&ids).unwrap();
    assert!(e.distinct < 200);
    assert!(
        e.by_method
            .iter()
            .any(|(m, _)| *m == EntropyMethod::Duplicates),
        "{e:?}"
    );
    assert!(e.bits <= 8.0, "{e:?}");
}

#[test]
fn structured_tokens_and_short_samples_are_refused_with_a_reason() {
    let jwts = vec!["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln".to_string(); 30];
    assert_eq!(estimate(&jwts), Err(EntropyError::Structured("JWT")));
    let signed = vec!["s:abcdefgh.2Uq9Zs1xk0".to_string(); 30];
    assert_eq!(
        estimate(&signed),
        Err(EntropyError::Structured("signed cookie"))
    );
    let rails = vec![format!("bG9naW4=--{}", "a1".repeat(20)); 30];
    assert_eq!(
        estimate(&rails),
        Err(EntropyError::Structured("signed cookie"))
    );
    // A random base64url id with `--` in it is still a random id.
    assert_eq!(structured_kind("Zm9v--YmFyLWJheg_x-9"), None);
    assert_eq!(
        estimate(&["a"; 5]),
        Err(EntropyError::TooFewSamples { got: 5 })
    );
    assert_eq!(estimate(&[""; 30]), Err(EntropyError::Empty));
    assert!(
        EntropyError::TooFewSamples { got: 5 }
            .to_string()
            .contains("at least 20")
    );
}

#[test]
fn hostile_samples_do_not_panic() {
    let mut ids: Vec<String> = random_ids(60, |r| hex(&r.random::<[u8; 8]>()));
    ids.push("<script>".into());
    ids.push("é\u{202e}\u{0}".into());
    ids.push("x".repeat(100_000));
    let e = estimate(&ids).unwrap();
    assert_eq!(
        e.length, 3,
        "the shortest sample bounds the positions compared"
    );
    assert!(e.bits.is_finite());
}
