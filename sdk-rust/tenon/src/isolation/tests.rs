//! The channel on its own: a second mapping of the region served by a
//! thread (the same code paths as a child process: the futex is a shared,
//! not a private, one; on Windows the events are duplicated handles), deadlines, and bounds.

use super::shm::{state, Area, Shm, CHILD_ASLEEP, HOST_ASLEEP};
use super::wait::{publish, wait_while};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn second_mapping(shm: &Shm) -> Shm {
    super::platform::second_view(shm).unwrap()
}

#[test]
fn an_echo_across_two_mappings_round_trips_many_times() {
    let host = Shm::create(2, 64 << 10).unwrap();
    let child = second_mapping(&host);
    assert_eq!(child.slots(), 2);
    let server = std::thread::spawn(move || {
        let slot = child.slot(1);
        let header = slot.header;
        for _ in 0..2000 {
            let seen = wait_while(
                &slot,
                CHILD_ASLEEP,
                |s| s != state::REQUEST,
                Duration::from_micros(20),
                Some(Instant::now() + Duration::from_secs(10)),
            );
            assert_eq!(seen, Some(state::REQUEST));
            let len = header.request_len.load(Ordering::Acquire);
            let mut bytes = Vec::new();
            assert!(slot.read(Area::Request, 0, len, &mut bytes));
            bytes.reverse();
            assert!(slot.write(Area::Reply, 0, &bytes));
            header.out_len.store(len, Ordering::Relaxed);
            publish(&slot, HOST_ASLEEP, state::REPLY);
        }
    });
    let slot = host.slot(1);
    let header = slot.header;
    for i in 0..2000u32 {
        let message = format!("request {i}");
        assert!(slot.write(Area::Request, 0, message.as_bytes()));
        header
            .request_len
            .store(message.len() as u64, Ordering::Relaxed);
        publish(&slot, CHILD_ASLEEP, state::REQUEST);
        // Every 100th call the server has gone to sleep: the futex path.
        if i % 100 == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        let seen = wait_while(
            &slot,
            HOST_ASLEEP,
            |s| s == state::REQUEST,
            Duration::from_micros(20),
            Some(Instant::now() + Duration::from_secs(10)),
        );
        assert_eq!(seen, Some(state::REPLY));
        let mut reply = Vec::new();
        assert!(slot.read(
            Area::Reply,
            0,
            header.out_len.load(Ordering::Acquire),
            &mut reply
        ));
        let mut expected = message.into_bytes();
        expected.reverse();
        assert_eq!(reply, expected);
        header.state.store(state::IDLE, Ordering::Release);
    }
    server.join().unwrap();
}

#[test]
fn a_wait_with_no_answer_ends_at_its_deadline() {
    let shm = Shm::create(1, 64 << 10).unwrap();
    let slot = shm.slot(0);
    slot.header.state.store(state::REQUEST, Ordering::Release);
    let start = Instant::now();
    let seen = wait_while(
        &slot,
        HOST_ASLEEP,
        |s| s == state::REQUEST,
        Duration::from_micros(10),
        Some(start + Duration::from_millis(50)),
    );
    let took = start.elapsed();
    assert_eq!(seen, None);
    assert!(took >= Duration::from_millis(50), "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn lengths_and_offsets_outside_an_area_are_refused() {
    let shm = Shm::create(1, 64 << 10).unwrap();
    let slot = shm.slot(0);
    let (_, reply) = slot.bounds(Area::Reply);
    let mut into = Vec::new();
    assert!(slot.read(Area::Reply, 0, reply as u64, &mut into));
    assert_eq!(into.len(), reply);
    for (offset, len) in [
        (0, reply as u64 + 1),
        (reply as u64, 1),
        (1, u64::MAX),
        (u64::MAX, 1),
        (u64::MAX, u64::MAX),
    ] {
        let mut into = Vec::new();
        assert!(
            !slot.read(Area::Reply, offset, len, &mut into),
            "{offset} {len}"
        );
        assert!(into.is_empty());
    }
    assert!(!slot.write(Area::Callback, usize::MAX, b"x"));
    assert!(!slot.write(Area::Request, 0, &vec![0; reply * 2]));
}

#[cfg(all(target_os = "linux", not(feature = "__macos-transport")))]
#[test]
fn a_region_cannot_be_grown_or_shrunk_once_sealed() {
    let shm = Shm::create(1, 64 << 10).unwrap();
    let fd = super::platform::mapping_fd(&shm);
    assert!(rustix::fs::ftruncate(fd, 4096).is_err());
    assert!(rustix::fs::ftruncate(fd, 1 << 30).is_err());
}

/// macOS sizes a shared memory object once: the child cannot shrink the
/// region under the host either (never run on Linux, where the transport's
/// `/dev/shm` file has no such guard).
#[cfg(target_os = "macos")]
#[test]
fn a_region_cannot_be_resized_once_sized() {
    let shm = Shm::create(1, 64 << 10).unwrap();
    let fd = super::platform::mapping_fd(&shm);
    assert!(rustix::fs::ftruncate(fd, 4096).is_err());
}

#[test]
fn a_line_of_a_childs_output_is_kept_up_to_max_line_and_the_rest_counted() {
    use super::process::{read_line_capped, MAX_LINE};
    let mut stream = vec![b'x'; MAX_LINE + 1000];
    stream.extend_from_slice(b"\nshort\nlast, unterminated");
    let mut reader = std::io::BufReader::with_capacity(4096, stream.as_slice());
    let mut line = Vec::new();
    assert_eq!(read_line_capped(&mut reader, &mut line), Some(1000));
    assert_eq!(line, vec![b'x'; MAX_LINE]);
    line.clear();
    assert_eq!(read_line_capped(&mut reader, &mut line), Some(0));
    assert_eq!(line, b"short\n");
    line.clear();
    assert_eq!(read_line_capped(&mut reader, &mut line), Some(0));
    assert_eq!(line, b"last, unterminated");
    line.clear();
    assert_eq!(read_line_capped(&mut reader, &mut line), None);
}

#[test]
fn a_windows_line_end_is_not_counted_as_dropped_text() {
    use super::process::{read_line_capped, MAX_LINE};
    // The '\r' in the same buffer as the newline, and at the end of the
    // buffer before the one with the newline.
    for capacity in [4096, MAX_LINE + 1000 + 1] {
        let mut stream = vec![b'y'; MAX_LINE + 1000];
        stream.extend_from_slice(b"\r\nshort\r\n");
        let mut reader = std::io::BufReader::with_capacity(capacity, stream.as_slice());
        let mut line = Vec::new();
        assert_eq!(
            read_line_capped(&mut reader, &mut line),
            Some(1000),
            "{capacity}"
        );
        assert_eq!(line, vec![b'y'; MAX_LINE]);
        line.clear();
        assert_eq!(read_line_capped(&mut reader, &mut line), Some(0));
        assert_eq!(line, b"short\r\n");
    }
    // A '\r' inside the dropped text is text.
    let mut stream = vec![b'y'; MAX_LINE + 10];
    stream.extend_from_slice(b"\rz\n");
    let mut reader = std::io::BufReader::with_capacity(4096, stream.as_slice());
    let mut line = Vec::new();
    assert_eq!(read_line_capped(&mut reader, &mut line), Some(12));
}
