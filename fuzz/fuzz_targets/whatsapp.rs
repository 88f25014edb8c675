#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jaga_fuzz::whatsapp(data));
