//! `srcset` candidate URLs, split as the HTML standard's "parse a srcset attribute"
//! algorithm does (URLs may contain commas; descriptors may contain parentheses).
//! Hand-written: the algorithm is a few lines and no maintained crate exposes it alone.

/// The URL of every candidate in a `srcset` value, in order.
pub fn candidates(srcset: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let bytes = srcset.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Skip whitespace and separating commas.
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut url = &srcset[start..i];
        if url.ends_with(',') {
            // `a.jpg,b.jpg`: trailing commas end the candidate, no descriptors follow.
            url = url.trim_end_matches(',');
        } else {
            // Skip descriptors up to the next comma outside parentheses.
            let mut depth = 0usize;
            while i < bytes.len() {
                match bytes[i] {
                    b'(' => depth += 1,
                    b')' => depth = depth.saturating_sub(1),
                    b',' if depth == 0 => break,
                    _ => {}
                }
                i += 1;
            }
        }
        if !url.is_empty() {
            found.push(url);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::candidates;

    #[test]
    fn splits_candidates_with_descriptors() {
        assert_eq!(
            candidates("a-300.jpg 300w, a-600.jpg 600w,\n a.jpg 2x"),
            vec!["a-300.jpg", "a-600.jpg", "a.jpg"]
        );
    }

    #[test]
    fn commas_inside_urls_and_bare_lists() {
        assert_eq!(
            candidates("img.php?w=1,2 1x,b.jpg 2x"),
            vec!["img.php?w=1,2", "b.jpg"]
        );
        // Without whitespace a comma belongs to the URL, as the standard says.
        assert_eq!(candidates("b.jpg,c.jpg"), vec!["b.jpg,c.jpg"]);
        assert_eq!(candidates("b.jpg, c.jpg"), vec!["b.jpg", "c.jpg"]);
        assert!(candidates(" , ,").is_empty());
    }
}
