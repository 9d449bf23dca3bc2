//! Parsing HTML into scraper's DOM while recording where each element's start tag
//! begins in the raw text.
//!
//! Neither scraper nor html5ever reports source offsets (html5ever's tokenizer only
//! hands its sink the line a token *ended* on). So we drive html5ever ourselves and
//! feed it the page in chunks that each begin at a `<`: a start tag is emitted while
//! the chunk holding its `>` is fed, so the tag's `<` is the start of that chunk (or,
//! when an attribute value contains `<`, of an earlier one, found by matching the
//! tag name). A wrapper around scraper's tree sink then pins that offset on the
//! element the tree builder creates for the token. One tokenizer pass, html5ever's
//! exact tree construction, exact offsets. Hand-written because no crate joins a
//! span-reporting tokenizer to scraper's DOM at html5ever 0.35.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use ego_tree::NodeId;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, LocalName, QualName, TokenizerResult};
use scraper::{Html, HtmlTreeSink};

/// How far back (in chunks) to look for the `<` of a tag whose attribute values hold
/// `<` characters. Bounds the work on hostile input such as `<img alt="<<<<…">`.
const MAX_CHUNKS_BACK: usize = 256;

/// A parsed page and the byte offset of every element that has a start tag in the source.
pub struct ParsedPage {
    pub html: Html,
    /// Element → byte offset of its start tag's `<`. Elements the parser made up
    /// (implied `<body>`, re-opened formatting elements) are absent.
    pub offsets: HashMap<NodeId, usize>,
}

/// Parse `source` like a browser with scripting disabled would, recording start-tag offsets.
///
/// Scripting is off so that `<noscript>` content (lazy-loading fallbacks) is parsed as
/// elements: those images are published too.
pub fn parse(source: &str) -> ParsedPage {
    let recorder = Recorder {
        inner: HtmlTreeSink::new(Html::new_document()),
        pending: Cell::new(None),
        offsets: RefCell::new(HashMap::new()),
    };
    let opts = TreeBuilderOpts {
        scripting_enabled: false,
        ..TreeBuilderOpts::default()
    };
    let chunk_starts = chunk_starts(source);
    let sink = PositionSink {
        builder: TreeBuilder::new(recorder, opts),
        source,
        chunk_starts: &chunk_starts,
        current_chunk: Cell::new(0),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    for (index, &start) in chunk_starts.iter().enumerate() {
        let end = chunk_starts.get(index + 1).copied().unwrap_or(source.len());
        tokenizer.sink.current_chunk.set(index);
        queue.push_back(StrTendril::from_slice(&source[start..end]));
        // A `Script` result only pauses for script execution, which we never do.
        while let TokenizerResult::Script(_) = tokenizer.feed(&queue) {}
    }
    tokenizer.end();
    let recorder = tokenizer.sink.builder.sink;
    let offsets = recorder.offsets.into_inner();
    ParsedPage {
        html: recorder.inner.finish(),
        offsets,
    }
}

/// Byte offsets where chunks begin: 0 and every `<` followed by a letter, which is how
/// every start tag begins.
fn chunk_starts(source: &str) -> Vec<usize> {
    let bytes = source.as_bytes();
    let mut starts = vec![0];
    starts.extend(
        memchr::memchr_iter(b'<', bytes)
            .filter(|&i| i > 0 && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic)),
    );
    starts
}

/// True when `source[at..]` opens a start tag named `name` (ASCII case-insensitive).
fn opens_tag(source: &str, at: usize, name: &str) -> bool {
    let bytes = source.as_bytes();
    let name_end = at + 1 + name.len();
    bytes.get(at) == Some(&b'<')
        && bytes
            .get(at + 1..name_end)
            .is_some_and(|raw| raw.eq_ignore_ascii_case(name.as_bytes()))
        && bytes
            .get(name_end)
            .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'))
}

/// Sits between html5ever's tokenizer and tree builder to note where each start tag begins.
struct PositionSink<'a> {
    builder: TreeBuilder<NodeId, Recorder>,
    source: &'a str,
    chunk_starts: &'a [usize],
    current_chunk: Cell<usize>,
}

impl PositionSink<'_> {
    fn start_offset(&self, name: &str) -> usize {
        let current = self.current_chunk.get();
        let lowest = current.saturating_sub(MAX_CHUNKS_BACK);
        (lowest..=current)
            .rev()
            .map(|i| self.chunk_starts[i])
            .find(|&at| opens_tag(self.source, at, name))
            .unwrap_or(self.chunk_starts[current])
    }
}

impl TokenSink for PositionSink<'_> {
    type Handle = NodeId;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<NodeId> {
        if let Token::TagToken(tag) = &token
            && tag.kind == TagKind::StartTag
        {
            let offset = self.start_offset(&tag.name);
            self.builder.sink.pending.set(Some(PendingTag {
                name: tag.name.clone(),
                values: values_hash(&tag.attrs),
                offset,
            }));
        }
        let result = self.builder.process_token(token, line_number);
        // Elements made after this token (adoption-agency clones) are not this tag.
        self.builder.sink.pending.set(None);
        result
    }

    fn end(&self) {
        self.builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// scraper's tree sink, plus a note of which source offset created which element.
struct Recorder {
    inner: HtmlTreeSink,
    /// The start tag being processed.
    pending: Cell<Option<PendingTag>>,
    offsets: RefCell<HashMap<NodeId, usize>>,
}

struct PendingTag {
    name: LocalName,
    /// Hash of the attribute values, to tell the tag's element from a re-opened copy of an
    /// earlier one with the same name (`<a>` inside `<a>` runs the adoption agency first).
    values: u64,
    offset: usize,
}

/// Attribute values in order; names are left out because the tree builder adjusts them
/// (`viewbox` becomes `viewBox` in SVG).
fn values_hash(attrs: &[Attribute]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    for attr in attrs {
        attr.value.as_ref().hash(&mut hasher);
    }
    hasher.finish()
}

impl Recorder {
    /// The element created for the pending start tag is the first one whose name and
    /// attribute values match it; implied parents (`html`, `head`, `body`) come first.
    fn claim(&self, name: &QualName, attrs: &[Attribute], id: NodeId) {
        let Some(tag) = self.pending.take() else {
            return;
        };
        let created = name.local.as_ref();
        // The tree builder renames `<image>` to `img`, and camel-cases SVG names.
        let same_name =
            created.eq_ignore_ascii_case(&tag.name) || (&*tag.name == "image" && created == "img");
        if same_name && values_hash(attrs) == tag.values {
            self.offsets.borrow_mut().insert(id, tag.offset);
        } else {
            self.pending.set(Some(tag));
        }
    }
}

impl TreeSink for Recorder {
    type Handle = NodeId;
    type Output = Self;
    type ElemName<'a> = <HtmlTreeSink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Self {
        self
    }
    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg)
    }
    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Self::ElemName<'a> {
        self.inner.elem_name(target)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        let id = self
            .inner
            .create_element(name.clone(), attrs.clone(), flags);
        self.claim(&name, &attrs, id);
        id
    }
    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }
    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.inner.append(parent, child)
    }
    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        self.inner
            .append_based_on_parent_node(element, prev_element, child)
    }
    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id)
    }
    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node)
    }
    fn pop(&self, node: &NodeId) {
        self.inner.pop(node)
    }
    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }
    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }
    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.inner.append_before_sibling(sibling, new_node)
    }
    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }
    fn associate_with_form(
        &self,
        target: &NodeId,
        form: &NodeId,
        nodes: (&NodeId, Option<&NodeId>),
    ) {
        self.inner.associate_with_form(target, form, nodes)
    }
    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }
    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent)
    }
    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.inner
            .is_mathml_annotation_xml_integration_point(handle)
    }
    fn allow_declarative_shadow_roots(&self, intended_parent: &NodeId) -> bool {
        self.inner.allow_declarative_shadow_roots(intended_parent)
    }
    fn attach_declarative_shadow(
        &self,
        location: &NodeId,
        template: &NodeId,
        attrs: &[Attribute],
    ) -> bool {
        self.inner
            .attach_declarative_shadow(location, template, attrs)
    }
}

/// Turns byte offsets into 1-based line and column (in characters) of the raw text.
pub struct LineIndex<'a> {
    source: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1));
        LineIndex {
            source,
            line_starts,
        }
    }

    pub fn line_column(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.source.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .source
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (saturate(line + 1), saturate(column + 1))
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Selector;

    fn offsets_of(source: &str, selector: &str) -> Vec<usize> {
        let page = parse(source);
        let selector = Selector::parse(selector).unwrap();
        page.html
            .select(&selector)
            .map(|el| page.offsets.get(&el.id()).copied().unwrap_or(usize::MAX))
            .collect()
    }

    #[test]
    fn start_tags_get_their_byte_offsets() {
        let html = "<p>a</p>\n<img src=a.jpg><IMG SRC=b.jpg>";
        assert_eq!(offsets_of(html, "img"), vec![9, 24]);
    }

    #[test]
    fn tags_in_comments_and_scripts_do_not_shift_positions() {
        let html =
            "<!-- <img src=old.jpg> --><script>var s='<img src=x.jpg>'</script><img src=new.jpg>";
        let at = offsets_of(html, "img");
        assert_eq!(at.len(), 1);
        assert_eq!(&html[at[0]..at[0] + 16], "<img src=new.jpg");
    }

    #[test]
    fn attribute_values_holding_angle_brackets_keep_the_tag_start() {
        let html = "<div>x</div><img alt=\"a <b> c\" src=a.jpg>";
        assert_eq!(offsets_of(html, "img"), vec![12]);
    }

    #[test]
    fn a_link_inside_a_link_gets_its_own_offset_not_the_copy() {
        // The parser closes the outer <a>, re-opening a copy of it inside the <div>
        // while it handles the inner <a>'s start tag.
        let html = "<a href=1.jpg><div><a href=2.jpg>x</a></div>";
        let page = parse(html);
        let selector = Selector::parse("a").unwrap();
        let found: Vec<(Option<&str>, Option<usize>)> = page
            .html
            .select(&selector)
            .map(|a| (a.value().attr("href"), page.offsets.get(&a.id()).copied()))
            .collect();
        assert!(found.contains(&(Some("2.jpg"), Some(19))), "{found:?}");
        assert!(found.contains(&(Some("1.jpg"), Some(0))), "{found:?}");
    }

    #[test]
    fn implied_elements_have_no_offset_and_real_body_has_one() {
        let page = parse("<img src=a.jpg>");
        let body = page
            .html
            .select(&Selector::parse("body").unwrap())
            .next()
            .unwrap();
        assert!(!page.offsets.contains_key(&body.id()));
        assert_eq!(offsets_of("<html><body style='x'>", "body"), vec![6]);
    }

    #[test]
    fn line_and_column_count_characters_from_one() {
        let text = "ab\nçé<img>";
        let index = LineIndex::new(text);
        assert_eq!(index.line_column(0), (1, 1));
        assert_eq!(index.line_column(text.find("<img").unwrap()), (2, 3));
    }
}
