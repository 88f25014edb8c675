//! `jaga scan --report report.html`: one self-contained HTML page an admin can read and act
//! on: totals per category and action, flagged messages per day (inline SVG), the users with
//! most flags, the rules that fired most, and the flagged messages themselves with the
//! matched spans highlighted and personal data masked ([`jaga_core::mask`]).
//!
//! The page needs no network and no script: inline CSS and SVG only, so it can be mailed or
//! opened offline. Memory stays bounded on any input: only the `limit` most severe flagged
//! messages are kept, and per-user and per-rule counts only for flagged events.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fmt::Write;

use crate::scan::Observer;
use jaga_core::event::{civil_from_days, Event, Kind};
use jaga_core::mask;
use jaga_core::rules::Rule;
use jaga_core::verdict::{Action, Category, Field, Verdict};
use jaga_core::vocab;
use jaga_export::{Diagnostic, InputStats, Level, Origin};

/// Bytes of a message shown in the report; the rest is cut (the verdict JSONL has it all).
const SHOWN_TEXT: usize = 1500;
/// Input problems listed in the report.
const SHOWN_DIAGNOSTICS: usize = 50;
/// Users listed.
const TOP_USERS: usize = 15;
/// Rules listed.
const TOP_RULES: usize = 10;

/// A flagged event kept for display.
#[derive(Debug, Clone)]
struct Flagged {
    /// Severity of the action, then the highest score (per mille), then input order.
    key: (u8, u32, Reverse<u64>),
    origin: Origin,
    kind: Kind,
    ts: Option<i64>,
    group: String,
    name: String,
    text: String,
    attachments: Vec<String>,
    category: Option<Category>,
    action: Action,
    reasons: Vec<jaga_core::verdict::Reason>,
    spans: Vec<[usize; 2]>,
    name_spans: Vec<[usize; 2]>,
    /// Personal data the doxing stage found in the text, with its masked form.
    entities: Vec<mask::Masked>,
}

impl PartialEq for Flagged {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Flagged {}
impl PartialOrd for Flagged {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Flagged {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

#[derive(Debug, Default, Clone)]
struct UserStat {
    name: String,
    user: String,
    group: String,
    flags: u64,
    by_category: [u64; 4],
    joins_flagged: u64,
}

#[derive(Debug, Default, Clone)]
struct RuleStat {
    category: Option<Category>,
    fired: u64,
    shadow: u64,
}

/// Collects a scan for the HTML report (it is an [`Observer`] of the scan).
#[derive(Debug)]
pub struct Report {
    limit: usize,
    seq: u64,
    events: u64,
    messages: u64,
    joins: u64,
    flagged_total: u64,
    by_category: [u64; 5],
    by_action: Vec<(Action, u64)>,
    kept: BinaryHeap<Reverse<Flagged>>,
    users: HashMap<(String, String), UserStat>,
    rules: HashMap<String, RuleStat>,
    days: BTreeMap<i64, [u64; 4]>,
    undated: u64,
    first_ts: Option<i64>,
    last_ts: Option<i64>,
    groups: Vec<String>,
    inputs: Vec<InputStats>,
    errors: u64,
    warnings: u64,
    diagnostics: Vec<Diagnostic>,
}

/// Whether a verdict goes into the report's flagged list: any category reached review.
pub fn is_flagged(v: &Verdict) -> bool {
    v.category.is_some() || v.action.severity() > 0
}

impl Report {
    /// A report that lists at most `limit` flagged messages (the most severe).
    pub fn new(limit: usize) -> Report {
        Report {
            limit,
            seq: 0,
            events: 0,
            messages: 0,
            joins: 0,
            flagged_total: 0,
            by_category: [0; 5],
            by_action: Vec::new(),
            kept: BinaryHeap::new(),
            users: HashMap::new(),
            rules: HashMap::new(),
            days: BTreeMap::new(),
            undated: 0,
            first_ts: None,
            last_ts: None,
            groups: Vec::new(),
            inputs: Vec::new(),
            errors: 0,
            warnings: 0,
            diagnostics: Vec::new(),
        }
    }

    /// Flagged events seen (listed or not).
    pub fn flagged(&self) -> u64 {
        self.flagged_total
    }

    fn add(&mut self, ev: &Event, v: &Verdict, origin: &Origin) {
        self.seq += 1;
        self.events += 1;
        match ev.kind {
            Kind::Message => self.messages += 1,
            Kind::JoinRequest => self.joins += 1,
        }
        self.by_category[v.category.map_or(0, |c| c.index() + 1)] += 1;
        match self.by_action.iter_mut().find(|(a, _)| *a == v.action) {
            Some((_, n)) => *n += 1,
            None => self.by_action.push((v.action, 1)),
        }
        if let Some(t) = ev.ts {
            self.first_ts = Some(self.first_ts.map_or(t, |f| f.min(t)));
            self.last_ts = Some(self.last_ts.map_or(t, |l| l.max(t)));
        }
        if !ev.group.is_empty() && self.groups.len() < 8 && !self.groups.contains(&ev.group) {
            self.groups.push(ev.group.clone());
        }
        // Helper rules (score 0, only there for `expr`s) would crowd out the ones that count.
        for r in v.reasons.iter().filter(|r| r.score > 0.0) {
            let s = self.rules.entry(r.id.clone()).or_default();
            s.category = Some(r.category);
            if r.shadow {
                s.shadow += 1;
            } else {
                s.fired += 1;
            }
        }
        if !is_flagged(v) {
            return;
        }
        self.flagged_total += 1;
        let cat = v.category.unwrap_or_else(|| top_category(v));
        match ev.ts {
            Some(t) => self.days.entry(t.div_euclid(86_400)).or_default()[cat.index()] += 1,
            None => self.undated += 1,
        }
        let u = self
            .users
            .entry((ev.group.clone(), ev.user.clone()))
            .or_insert_with(|| UserStat {
                name: ev.name.clone(),
                user: ev.user.clone(),
                group: ev.group.clone(),
                ..UserStat::default()
            });
        u.flags += 1;
        u.by_category[cat.index()] += 1;
        if ev.kind == Kind::JoinRequest {
            u.joins_flagged += 1;
        }
        let score = Category::ALL
            .iter()
            .map(|&c| v.scores.get(c))
            .fold(0.0f32, f32::max);
        let key = (
            v.action.severity(),
            (score * 1000.0) as u32,
            Reverse(self.seq),
        );
        if self.kept.len() >= self.limit {
            match self.kept.peek() {
                Some(Reverse(min)) if min.key < key => {
                    self.kept.pop();
                }
                _ => return,
            }
        }
        if self.limit == 0 {
            return;
        }
        let cut = floor_boundary(&ev.text, SHOWN_TEXT);
        let spans_in = |field: Field, max: usize| -> Vec<[usize; 2]> {
            v.reasons
                .iter()
                .flat_map(|r| r.spans.iter())
                .filter(|s| s.field == field && s.start < s.end && s.end <= max)
                .map(|s| [s.start, s.end])
                .collect()
        };
        self.kept.push(Reverse(Flagged {
            key,
            origin: origin.clone(),
            kind: ev.kind,
            ts: ev.ts,
            group: ev.group.clone(),
            name: ev.name.clone(),
            text: ev.text[..cut].to_string(),
            attachments: ev.attachments.iter().map(|a| a.name.clone()).collect(),
            category: v.category,
            action: v.action,
            reasons: v.reasons.clone(),
            spans: spans_in(Field::Text, cut),
            name_spans: spans_in(Field::Name, ev.name.len()),
            entities: v
                .reasons
                .iter()
                .flat_map(|r| r.entities.iter())
                .filter(|e| e.span[0] < e.span[1] && e.span[1] <= cut)
                .map(|e| mask::Masked {
                    range: e.span[0]..e.span[1],
                    replacement: e.masked.clone(),
                })
                .collect(),
        }));
    }

    /// The whole page, Indonesian first. `rules` gives the rules' descriptions.
    pub fn render(&self, rules: &[Rule]) -> String {
        self.render_in(rules, vocab::Lang::Id)
    }

    /// The whole page, in both languages with a switch (CSS only, no script), `lang` shown
    /// first. `rules` gives the rules' descriptions.
    pub fn render_in(&self, rules: &[Rule], lang: vocab::Lang) -> String {
        let mut h = String::with_capacity(64 * 1024);
        let groups = esc(&self.groups.join(", "));
        let title = if self.groups.is_empty() {
            "jaga report".to_string()
        } else {
            format!("jaga report: {groups}")
        };
        let (id_on, en_on) = match lang {
            vocab::Lang::Id => (" checked", ""),
            vocab::Lang::En => ("", " checked"),
        };
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><style>{CSS}</style></head><body>\
             <input type=\"radio\" name=\"lang\" id=\"lang-id\" class=\"lang\"{id_on}>\
             <input type=\"radio\" name=\"lang\" id=\"lang-en\" class=\"lang\"{en_on}><main>\
             <p class=\"langs\"><label for=\"lang-id\">Bahasa Indonesia</label> · <label for=\"lang-en\">English</label></p>",
            lang.code()
        );
        let h1 = if self.groups.is_empty() {
            bi("Laporan jaga", "jaga report")
        } else {
            bi(
                &format!("Laporan jaga: {groups}"),
                &format!("jaga report: {groups}"),
            )
        };
        let _ = write!(h, "<header><h1>{h1}</h1><p class=\"sub\">");
        if let (Some(a), Some(b)) = (self.first_ts, self.last_ts) {
            let (a, b) = (day_str(a), day_str(b));
            h.push_str(&bi(
                &format!("Pesan dari {a} sampai {b}. "),
                &format!("Messages from {a} to {b}. "),
            ));
        }
        h.push_str(&bi(
            "Data pribadi (nomor HP, KTP, rekening, e-mail) disamarkan. Waktu seperti tertulis di ekspor.",
            "Personal data (phone, ID and account numbers, e-mail addresses) is masked. Times are as written in the export.",
        ));
        h.push_str("</p></header>");
        let _ = write!(
            h,
            "<nav><a href=\"#flagged\">{}</a> <a href=\"#actions\">{}</a> <a href=\"#users\">{}</a> <a href=\"#rules\">{}</a> <a href=\"#inputs\">{}</a></nav>",
            bi("Pesan ditandai", "Flagged messages"),
            bi("Arti tindakan", "What actions mean"),
            bi("Pengirim", "Users"),
            bi("Aturan", "Rules"),
            bi("Masukan", "Inputs")
        );
        self.render_cards(&mut h);
        self.render_totals(&mut h);
        self.render_chart(&mut h);
        h.push_str("<div class=\"two\">");
        self.render_users(&mut h);
        self.render_rules(&mut h, rules);
        h.push_str("</div>");
        self.render_flagged(&mut h, rules);
        self.render_actions(&mut h);
        self.render_inputs(&mut h);
        let _ = writeln!(
            h,
            "<footer>{} {} &middot; {}</footer></main></body></html>",
            bi("Dibuat oleh jaga", "Generated by jaga"),
            env!("CARGO_PKG_VERSION"),
            bi(
                "semua alasan ada di keluaran JSONL dan CSV di sebelah laporan ini",
                "verdicts with every reason are in the JSONL output and the CSV beside this report"
            )
        );
        h
    }

    fn render_cards(&self, h: &mut String) {
        let pct = if self.events > 0 {
            100.0 * self.flagged_total as f64 / self.events as f64
        } else {
            0.0
        };
        h.push_str("<section class=\"cards\">");
        let w = self.warnings;
        for (label, value, class) in [
            (
                bi("peristiwa diperiksa", "events scanned"),
                self.events.to_string(),
                "",
            ),
            (bi("pesan", "messages"), self.messages.to_string(), ""),
            (
                bi("permintaan bergabung", "join events"),
                self.joins.to_string(),
                "",
            ),
            (
                bi("ditandai", "flagged"),
                format!("{} <small>({pct:.1}%)</small>", self.flagged_total),
                " flag",
            ),
            (
                bi(
                    &format!("galat masukan ({w} peringatan)"),
                    &format!("input errors ({w} warnings)"),
                ),
                self.errors.to_string(),
                "",
            ),
        ] {
            let _ = write!(h, "<div class=\"card{class}\"><div class=\"num\">{value}</div><div class=\"lbl\">{label}</div></div>");
        }
        h.push_str("</section>");
    }

    fn render_totals(&self, h: &mut String) {
        let _ = write!(
            h,
            "<section class=\"two\"><div><h2>{}</h2><table class=\"bars\">",
            bi("Per kategori", "Per category")
        );
        let max = self.by_category.iter().copied().max().unwrap_or(0).max(1);
        let cats = [
            None,
            Some(Category::Spam),
            Some(Category::Scam),
            Some(Category::Doxing),
            Some(Category::Abuse),
        ];
        for (i, c) in cats.iter().enumerate() {
            let n = c.map_or("ok", Category::as_str);
            bar_row(
                h,
                &category_bi(*c),
                self.by_category[i],
                max,
                &format!("c-{n}"),
            );
        }
        let _ = write!(
            h,
            "</table></div><div><h2>{}</h2><table class=\"bars\">",
            bi("Per tindakan", "Per action")
        );
        let mut actions = self.by_action.clone();
        actions.sort_by_key(|(a, _)| (Reverse(a.severity()), a.as_str()));
        let max = actions.iter().map(|a| a.1).max().unwrap_or(0).max(1);
        for (a, n) in actions {
            bar_row(h, &action_bi(a), n, max, &format!("act{}", a.severity()));
        }
        h.push_str("</table></div></section>");
    }

    fn render_chart(&self, h: &mut String) {
        let (Some(&first), Some(&last)) = (self.days.keys().next(), self.days.keys().next_back())
        else {
            let _ = write!(
                h,
                "<section><h2>{}</h2><p class=\"muted\">{}</p></section>",
                bi("Pesan ditandai per hari", "Flagged messages per day"),
                bi(
                    "Tidak ada pesan ditandai yang bertanggal.",
                    "No flagged event has a date."
                )
            );
            return;
        };
        // Days for up to half a year, weeks beyond; a bar per bucket, stacked by category.
        let span = last - first + 1;
        // Days for up to half a year, weeks up to three years, months beyond.
        let month = |d: i64| {
            let (y, m, _) = civil_from_days(d);
            y * 12 + m - 1
        };
        let (unit, bucket): (&str, &dyn Fn(i64) -> usize) = if span <= 186 {
            ("day", &|d| (d - first) as usize)
        } else if span <= 3 * 366 {
            ("week", &|d| ((d - first) / 7) as usize)
        } else {
            ("month", &|d| (month(d) - month(first)) as usize)
        };
        let label = |i: usize| match unit {
            "day" => day_label(first + i as i64),
            "week" => day_label(first + 7 * i as i64),
            _ => {
                let mi = month(first) + i as i64;
                format!("{:04}-{:02}", mi.div_euclid(12), mi.rem_euclid(12) + 1)
            }
        };
        let n = bucket(last) + 1;
        let mut buckets = vec![[0u64; 4]; n];
        for (&d, c) in &self.days {
            let b = &mut buckets[bucket(d)];
            for i in 0..4 {
                b[i] += c[i];
            }
        }
        let max = buckets
            .iter()
            .map(|b| b.iter().sum::<u64>())
            .max()
            .unwrap_or(1)
            .max(1);
        let (w, ht, left, bottom, top) = (1100.0f64, 210.0f64, 44.0f64, 28.0f64, 10.0f64);
        let plot_w = w - left - 10.0;
        let plot_h = ht - bottom - top;
        let bw = plot_w / n as f64;
        let unit_id = match unit {
            "day" => "hari",
            "week" => "minggu",
            _ => "bulan",
        };
        let _ = write!(
            h,
            "<section><h2>{}</h2><svg class=\"chart\" viewBox=\"0 0 {w} {ht}\" role=\"img\" aria-label=\"flagged messages per {unit}\">",
            bi(&format!("Pesan ditandai per {unit_id}"), &format!("Flagged messages per {unit}"))
        );
        // Whole-number grid lines: up to four steps.
        let ticks = max.clamp(1, 4);
        let step = max.div_ceil(ticks);
        let scale = (step * ticks) as f64;
        for k in 0..=ticks {
            let v = k * step;
            let y = top + plot_h - plot_h * k as f64 / ticks as f64;
            let _ = write!(h, "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/><text x=\"{}\" y=\"{:.1}\" class=\"ax\" text-anchor=\"end\">{}</text>", w - 10.0, left - 6.0, y + 4.0, v);
        }
        for (i, b) in buckets.iter().enumerate() {
            let x = left + bw * i as f64;
            let mut y = top + plot_h;
            let total: u64 = b.iter().sum();
            for c in Category::ALL {
                let v = b[c.index()];
                if v == 0 {
                    continue;
                }
                let bh = plot_h * v as f64 / scale;
                y -= bh;
                let _ = write!(
                    h,
                    "<rect x=\"{:.2}\" y=\"{y:.2}\" width=\"{:.2}\" height=\"{bh:.2}\" class=\"c-{}\"><title>{}: {v} {} (of {total})</title></rect>",
                    x + bw * 0.1,
                    (bw * 0.8).max(0.5),
                    c.as_str(),
                    label(i),
                    c.as_str()
                );
            }
        }
        let labels = 8.min(n);
        for k in 0..labels {
            let i = if labels > 1 {
                k * (n - 1) / (labels - 1)
            } else {
                0
            };
            let x = left + bw * (i as f64 + 0.5);
            let _ = write!(
                h,
                "<text x=\"{x:.1}\" y=\"{}\" class=\"ax\" text-anchor=\"middle\">{}</text>",
                ht - 8.0,
                label(i)
            );
        }
        h.push_str("</svg><p class=\"legend\">");
        for c in Category::ALL {
            let _ = write!(
                h,
                "<span><i class=\"c-{}\"></i>{}</span>",
                c.as_str(),
                category_bi(Some(c))
            );
        }
        if self.undated > 0 {
            let n = self.undated;
            let _ = write!(
                h,
                "<span class=\"muted\">{}</span>",
                bi(
                    &format!("{n} pesan ditandai tanpa tanggal tidak ditampilkan"),
                    &format!("{n} flagged without a date are not shown")
                )
            );
        }
        h.push_str("</p></section>");
    }

    fn render_users(&self, h: &mut String) {
        let _ = write!(
            h,
            "<div id=\"users\"><h2>{}</h2>",
            bi("Pengirim dengan tanda terbanyak", "Users with most flags")
        );
        if self.users.is_empty() {
            let _ = write!(
                h,
                "<p class=\"muted\">{}</p></div>",
                bi("Tidak ada yang ditandai.", "Nobody was flagged.")
            );
            return;
        }
        let mut users: Vec<&UserStat> = self.users.values().collect();
        users.sort_by(|a, b| b.flags.cmp(&a.flags).then_with(|| a.name.cmp(&b.name)));
        let _ = write!(
            h,
            "<table class=\"list\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            bi("pengirim", "user"),
            bi("grup", "group"),
            bi("tanda", "flags"),
            bi("kategori", "categories")
        );
        for u in users.iter().take(TOP_USERS) {
            let mut cats = String::new();
            for c in Category::ALL {
                let n = u.by_category[c.index()];
                if n > 0 {
                    let _ = write!(
                        cats,
                        "<span class=\"pill c-{}\">{} {n}</span>",
                        c.as_str(),
                        category_bi(Some(c))
                    );
                }
            }
            if u.joins_flagged > 0 {
                let _ = write!(
                    cats,
                    "<span class=\"pill\">{} {}</span>",
                    bi("gabung", "join"),
                    u.joins_flagged
                );
            }
            let shown = vocab::sender(&u.name, &u.user);
            let id = if !u.user.is_empty() && vocab::sender("", &u.user) != shown {
                format!(
                    " <small class=\"muted\">{}</small>",
                    esc(&vocab::sender("", &u.user))
                )
            } else {
                String::new()
            };
            let _ = write!(
                h,
                "<tr><td>{}{id}</td><td>{}</td><td class=\"n\">{}</td><td>{cats}</td></tr>",
                esc(&shown),
                esc(&u.group),
                u.flags
            );
        }
        h.push_str("</table></div>");
    }

    fn render_rules(&self, h: &mut String, rules: &[Rule]) {
        let _ = write!(
            h,
            "<div id=\"rules\"><h2>{}</h2>",
            bi("Aturan yang paling sering cocok", "Rules that fired most")
        );
        if self.rules.is_empty() {
            let _ = write!(
                h,
                "<p class=\"muted\">{}</p></div>",
                bi("Tidak ada aturan yang cocok.", "No rule fired.")
            );
            return;
        }
        let mut list: Vec<(&String, &RuleStat)> = self.rules.iter().collect();
        list.sort_by(|a, b| {
            (b.1.fired + b.1.shadow)
                .cmp(&(a.1.fired + a.1.shadow))
                .then_with(|| a.0.cmp(b.0))
        });
        let _ = write!(
            h,
            "<table class=\"list\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            bi("aturan", "rule"),
            bi("yang dicari", "what it finds"),
            bi("cocok", "fired")
        );
        for (id, s) in list.iter().take(TOP_RULES) {
            let desc = rules
                .iter()
                .find(|r| &r.id == *id)
                .map_or(String::new(), rule_description_bi);
            let cat = s.category.map_or("", Category::as_str);
            let shadow = if s.shadow > 0 {
                format!(
                    " <small class=\"muted\">+{} {}</small>",
                    s.shadow,
                    bi("bayangan", "shadow")
                )
            } else {
                String::new()
            };
            let _ = write!(
                h,
                "<tr><td><code>{}</code> <span class=\"pill c-{cat}\">{}</span></td><td class=\"desc\">{desc}</td><td class=\"n\">{}{shadow}</td></tr>",
                esc(id),
                s.category.map_or(String::new(), |c| category_bi(Some(c))),
                s.fired
            );
        }
        h.push_str("</table></div>");
    }

    fn render_flagged(&self, h: &mut String, rules: &[Rule]) {
        let mut list: Vec<&Flagged> = self.kept.iter().map(|r| &r.0).collect();
        list.sort_by_key(|f| Reverse(f.key));
        let _ = write!(
            h,
            "<section id=\"flagged\"><h2>{}</h2><p class=\"muted\">",
            bi("Pesan ditandai", "Flagged messages")
        );
        let (n, total) = (list.len(), self.flagged_total);
        if total as usize > n {
            h.push_str(&bi(
                &format!("{n} paling berat dari {total} yang ditandai, yang paling berat dulu. "),
                &format!("The {n} most severe of {total} flagged events, most severe first. "),
            ));
        } else {
            h.push_str(&bi(
                &format!("Semua {total} yang ditandai, yang paling berat dulu. "),
                &format!("All {total} flagged events, most severe first. "),
            ));
        }
        h.push_str(&bi(
            "Disorot: yang cocok dengan aturan.",
            "Highlighted: what the rules matched.",
        ));
        h.push_str("</p>");
        for f in list {
            let cat = f.category.map_or("ok", Category::as_str);
            let when = f.ts.map(time_str).unwrap_or_default();
            let kind = match f.kind {
                Kind::JoinRequest => format!(
                    "<span class=\"pill\">{}</span> ",
                    bi("permintaan bergabung", "join request")
                ),
                Kind::Message => String::new(),
            };
            // A name that is a phone number is shown as the app shows it, masked; other names
            // keep their highlighted spans.
            let sender = vocab::sender(&f.name, "");
            let name = if sender != mask::mask(&f.name) {
                esc(&sender)
            } else {
                highlighted(&f.name, &f.name_spans, &[])
            };
            let _ = write!(
                h,
                "<article class=\"msg b-{cat}\"><div class=\"meta\"><span class=\"act act{}\">{}</span> <span class=\"pill c-{cat}\">{}</span> {kind}<b>{name}</b> <span class=\"muted\">{} &middot; {} &middot; {}</span></div>",
                f.action.severity(),
                action_bi(f.action),
                category_bi(f.category),
                esc(&f.group),
                esc(&when),
                esc(&f.origin.to_string()),
            );
            if !f.text.is_empty() {
                let _ = write!(
                    h,
                    "<div class=\"text\">{}</div>",
                    highlighted(&f.text, &f.spans, &f.entities)
                );
            }
            if !f.attachments.is_empty() {
                let _ = write!(h, "<div class=\"att\">{}: ", bi("lampiran", "attached"));
                for (i, a) in f.attachments.iter().enumerate() {
                    if i > 0 {
                        h.push_str(", ");
                    }
                    let name = if a.is_empty() { "(media)" } else { a.as_str() };
                    let _ = write!(h, "<code>{}</code>", esc(&mask::mask(name)));
                }
                h.push_str("</div>");
            }
            h.push_str("<ul class=\"why\">");
            // Helper rules (score 0) explain exprs; the JSONL has them, the page does not.
            for r in f.reasons.iter().filter(|r| r.score > 0.0) {
                let rule = rules.iter().find(|x| x.id == r.id);
                let _ = write!(
                    h,
                    "<li class=\"reason{}\">{} <small class=\"muted\"><code>{}</code> {:.2}</small></li>",
                    if r.shadow { " shadow" } else { "" },
                    bi(
                        &esc(&vocab::reason(r, rule, vocab::Lang::Id)),
                        &esc(&vocab::reason(r, rule, vocab::Lang::En))
                    ),
                    esc(&r.id),
                    r.score,
                );
            }
            h.push_str("</ul></article>");
        }
        h.push_str("</section>");
    }

    /// What each action taken in this report means on WhatsApp and on Telegram.
    fn render_actions(&self, h: &mut String) {
        let mut actions: Vec<Action> = self
            .by_action
            .iter()
            .map(|(a, _)| *a)
            .filter(|a| a.severity() > 0)
            .collect();
        actions.sort_by_key(|a| Reverse(a.severity()));
        let _ = write!(
            h,
            "<section id=\"actions\"><h2>{}</h2><table class=\"list\"><tr><th>{}</th><th>WhatsApp</th><th>Telegram</th></tr>",
            bi("Arti tiap tindakan di WhatsApp dan Telegram", "What each action means on WhatsApp and Telegram"),
            bi("tindakan", "action")
        );
        for a in actions {
            let m = |p| {
                bi(
                    vocab::action_meaning(a, p, vocab::Lang::Id),
                    vocab::action_meaning(a, p, vocab::Lang::En),
                )
            };
            let _ = write!(
                h,
                "<tr><td><span class=\"act act{}\">{}</span></td><td>{}</td><td>{}</td></tr>",
                a.severity(),
                action_bi(a),
                m(vocab::Platform::WhatsApp),
                m(vocab::Platform::Telegram)
            );
        }
        h.push_str("</table></section>");
    }

    fn render_inputs(&self, h: &mut String) {
        let _ = write!(
            h,
            "<section id=\"inputs\"><h2>{}</h2><table class=\"list\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            bi("Masukan", "Inputs"),
            bi("berkas", "file"),
            bi("format", "format"),
            bi("pesan", "messages"),
            bi("gabung", "joins"),
            bi("sistem", "system"),
            bi("dihapus", "deleted"),
            bi("media", "media")
        );
        for i in &self.inputs {
            let order = i
                .date_order
                .map(|o| format!(", dates {o}"))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{} <small class=\"muted\">{}{}</small></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&i.source), i.format, i.encoding, esc(&order), i.counts.messages, i.counts.joins, i.counts.system, i.counts.deleted, i.counts.media
            );
        }
        h.push_str("</table>");
        if !self.diagnostics.is_empty() {
            let (e, w) = (self.errors, self.warnings);
            let _ = write!(
                h,
                "<h3>{}</h3><ul class=\"diag\">",
                bi(
                    &format!("Masalah masukan ({e} galat, {w} peringatan)"),
                    &format!("Input problems ({e} errors, {w} warnings)")
                )
            );
            for d in &self.diagnostics {
                let class = if d.level == Level::Error {
                    "err"
                } else {
                    "warn"
                };
                let _ = write!(h, "<li class=\"{class}\">{}</li>", esc(&d.to_string()));
            }
            if (self.errors + self.warnings) as usize > self.diagnostics.len() {
                let _ = write!(
                    h,
                    "<li>&hellip; {}</li>",
                    bi(
                        "sisanya di standard error",
                        "the rest are on standard error"
                    )
                );
            }
            h.push_str("</ul>");
        }
        h.push_str("</section>");
    }
}

impl Observer for Report {
    fn scored(&mut self, event: &Event, verdict: &Verdict, origin: &Origin) {
        self.add(event, verdict, origin);
    }
    fn diagnostic(&mut self, d: &Diagnostic) {
        match d.level {
            Level::Error => self.errors += 1,
            Level::Warning => self.warnings += 1,
        }
        if self.diagnostics.len() < SHOWN_DIAGNOSTICS {
            self.diagnostics.push(d.clone());
        }
    }
    fn input_done(&mut self, stats: &InputStats) {
        self.inputs.push(stats.clone());
    }
}

/// The CSV beside the report: one row per flagged event, in scan order, in one language,
/// with the same words as the report (and the console): plain-word reasons, senders as the
/// app shows them, personal data masked, and what the action means on each platform.
pub struct Csv<W: std::io::Write> {
    out: W,
    lang: vocab::Lang,
    rules: HashMap<String, Rule>,
    /// The first write error; later rows are skipped.
    pub error: Option<std::io::Error>,
    pub rows: u64,
}

impl<W: std::io::Write> Csv<W> {
    /// A CSV writer; writes the header row at once.
    pub fn new(mut out: W, lang: vocab::Lang, rules: &[Rule]) -> Csv<W> {
        let header: &[&str] = match lang {
            vocab::Lang::Id => &[
                "waktu",
                "grup",
                "pengirim",
                "kategori",
                "tindakan",
                "arti di WhatsApp",
                "arti di Telegram",
                "alasan",
                "pesan",
                "sumber",
            ],
            vocab::Lang::En => &[
                "time",
                "group",
                "sender",
                "category",
                "action",
                "on WhatsApp",
                "on Telegram",
                "reasons",
                "message",
                "source",
            ],
        };
        let error = out
            .write_all(csv_row(header.iter().map(|s| s.to_string())).as_bytes())
            .err();
        Csv {
            out,
            lang,
            rules: rules.iter().map(|r| (r.id.clone(), r.clone())).collect(),
            error,
            rows: 0,
        }
    }

    /// Writes the row of a flagged event (others are skipped).
    pub fn add(&mut self, ev: &Event, v: &Verdict, origin: &Origin) {
        if self.error.is_some() || !is_flagged(v) {
            return;
        }
        let l = self.lang;
        let entities: Vec<mask::Masked> = v
            .reasons
            .iter()
            .flat_map(|r| r.entities.iter())
            .map(|e| mask::Masked {
                range: e.span[0]..e.span[1],
                replacement: e.masked.clone(),
            })
            .collect();
        let reasons: Vec<String> = v
            .reasons
            .iter()
            .filter(|r| r.score > 0.0 && !r.shadow)
            .map(|r| vocab::reason(r, self.rules.get(&r.id), l))
            .collect();
        let row = csv_row([
            ev.ts.map(time_str).unwrap_or_default(),
            ev.group.clone(),
            vocab::sender(&ev.name, &ev.user),
            vocab::category(v.category, l).to_string(),
            vocab::action(v.action, l).to_string(),
            vocab::action_meaning(v.action, vocab::Platform::WhatsApp, l).to_string(),
            vocab::action_meaning(v.action, vocab::Platform::Telegram, l).to_string(),
            reasons.join(" | "),
            masked_text(&ev.text, &entities),
            origin.to_string(),
        ]);
        if let Err(e) = self.out.write_all(row.as_bytes()) {
            self.error = Some(e);
        }
        self.rows += 1;
    }

    /// Flushes and returns the writer, or the first write error.
    pub fn finish(mut self) -> std::io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `text` with personal data masked (entities first, then [`mask::find`]), as plain text.
fn masked_text(text: &str, entities: &[mask::Masked]) -> String {
    let e: Vec<([usize; 2], &str)> = entities
        .iter()
        .map(|m| ([m.range.start, m.range.end], m.replacement.as_str()))
        .collect();
    jaga_store::masked_summary(text, &e, &[])
}

/// One CSV row (RFC 4180 quoting). A cell that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first) gets a leading `'`.
fn csv_row(cells: impl IntoIterator<Item = String>) -> String {
    let mut row = String::new();
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            row.push(',');
        }
        let c = if c.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{c}")
        } else {
            c
        };
        if c.contains([',', '"', '\n', '\r']) {
            row.push('"');
            row.push_str(&c.replace('"', "\"\""));
            row.push('"');
        } else {
            row.push_str(&c);
        }
    }
    row.push_str("\r\n");
    row
}

/// Both languages of a phrase (already HTML); the page's switch shows one.
fn bi(id: &str, en: &str) -> String {
    if id == en {
        return id.to_string();
    }
    format!("<span lang=\"id\">{id}</span><span lang=\"en\">{en}</span>")
}

fn category_bi(c: Option<Category>) -> String {
    bi(
        vocab::category(c, vocab::Lang::Id),
        vocab::category(c, vocab::Lang::En),
    )
}

fn action_bi(a: Action) -> String {
    bi(
        vocab::action(a, vocab::Lang::Id),
        vocab::action(a, vocab::Lang::En),
    )
}

fn rule_description_bi(r: &Rule) -> String {
    let (id, lid) = vocab::rule_description(r, vocab::Lang::Id);
    let (en, len) = vocab::rule_description(r, vocab::Lang::En);
    if (id, lid) == (en, len) {
        return format!(
            "<span lang=\"{}\" class=\"both\">{}</span>",
            lid.code(),
            esc(id)
        );
    }
    bi(&esc(id), &esc(en))
}

fn top_category(v: &Verdict) -> Category {
    Category::ALL
        .into_iter()
        .max_by(|a, b| v.scores.get(*a).total_cmp(&v.scores.get(*b)))
        .unwrap_or(Category::Spam)
}

fn bar_row(h: &mut String, label: &str, n: u64, max: u64, class: &str) {
    let pct = 100.0 * n as f64 / max as f64;
    let _ = write!(
        h,
        "<tr><td>{label}</td><td class=\"n\">{n}</td><td class=\"bar\"><i class=\"{class}\" style=\"width:{pct:.1}%\"></i></td></tr>"
    );
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub use jaga_core::vocab::esc;

/// The text as HTML with `spans` marked and personal data masked ([`vocab::html`], shared
/// with the console).
fn highlighted(text: &str, spans: &[[usize; 2]], entities: &[mask::Masked]) -> String {
    vocab::html(text, spans, entities, false)
}

fn day_str(ts: i64) -> String {
    day_label(ts.div_euclid(86_400))
}

fn day_label(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn time_str(ts: i64) -> String {
    let secs = ts.rem_euclid(86_400);
    format!("{} {:02}:{:02}", day_str(ts), secs / 3600, secs / 60 % 60)
}

const CSS: &str = r#"
:root{--spam:#d97706;--scam:#dc2626;--doxing:#7c3aed;--abuse:#2563eb;--ok:#16a34a;--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px}h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:0 0 10px}h3{font-size:15px}
.sub,.muted{color:var(--muted)}section,.two>div{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px;margin:14px 0}
.two{display:grid;grid-template-columns:1fr 1fr;gap:14px}.two>div,section.two>div{margin:0}section.two{background:none;border:0;padding:0}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;background:none;border:0;padding:0}.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card .num{font-size:24px;font-weight:650}.card .lbl{color:var(--muted)}.card.flag .num{color:var(--scam)}
table{border-collapse:collapse;width:100%}th{text-align:left;color:var(--muted);font-weight:500;border-bottom:1px solid var(--line);padding:4px 6px}td{padding:4px 6px;border-bottom:1px solid #f1f5f9;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.bars td:first-child{width:90px}.bar{width:65%}.bar i{display:block;height:12px;border-radius:3px;min-width:2px}
.c-ok{background:var(--ok)}.c-spam{background:var(--spam)}.c-scam{background:var(--scam)}.c-doxing{background:var(--doxing)}.c-abuse{background:var(--abuse)}
svg .c-ok{fill:var(--ok)}svg .c-spam{fill:var(--spam)}svg .c-scam{fill:var(--scam)}svg .c-doxing{fill:var(--doxing)}svg .c-abuse{fill:var(--abuse)}
.act0{background:var(--ok)}.act1{background:#ca8a04}.act2{background:#ea580c}.act3{background:var(--scam)}.act4{background:#9f1239}.act5{background:#111827}
.chart{width:100%;height:auto}.chart .grid{stroke:var(--line)}.chart .ax{font-size:11px;fill:var(--muted)}
.legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
.pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;color:#fff;background:#64748b;margin:1px 2px}
.act{display:inline-block;padding:1px 8px;border-radius:4px;color:#fff;font-weight:600;font-size:12px;text-transform:uppercase}
.msg{border:1px solid var(--line);border-left:4px solid #94a3b8;border-radius:8px;padding:10px 12px;margin:10px 0;background:#fff}
.b-spam{border-left-color:var(--spam)}.b-scam{border-left-color:var(--scam)}.b-doxing{border-left-color:var(--doxing)}.b-abuse{border-left-color:var(--abuse)}
.msg .text{white-space:pre-wrap;overflow-wrap:anywhere;margin:6px 0;font-size:15px}mark{background:#fde68a;border-radius:3px;padding:0 1px}
.reason.shadow{opacity:.6;font-style:italic}
.att{font-size:13px;color:var(--muted);margin:4px 0}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
.diag{font-family:ui-monospace,monospace;font-size:12.5px}.diag .err{color:var(--scam)}.diag .warn{color:#a16207}
footer{color:var(--muted);text-align:center;margin:20px 0}
.lang{position:absolute;opacity:0;pointer-events:none}.langs{text-align:right;margin:0}.langs label{cursor:pointer;color:#2563eb;text-decoration:underline}
#lang-id:checked~main [lang=en]:not(.both),#lang-en:checked~main [lang=id]:not(.both){display:none}
#lang-id:checked~main label[for=lang-id],#lang-en:checked~main label[for=lang-en]{color:var(--fg);text-decoration:none;font-weight:600}
ul.why{list-style:none;margin:6px 0 0;padding:0}ul.why li{font-size:13px;padding:2px 0}
nav{margin:6px 0 0}nav a{color:#2563eb;text-decoration:none;margin-right:14px}td.desc{font-size:12.5px;color:#374151}
@media (max-width:800px){.two,.cards{grid-template-columns:1fr}}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use jaga_core::verdict::{Reason, Scores, Source};

    fn verdict(cat: Option<Category>, action: Action, spans: Vec<[usize; 2]>) -> Verdict {
        Verdict {
            id: "1".into(),
            kind: Kind::Message,
            category: cat,
            action,
            scores: Scores {
                scam: 0.9,
                ..Scores::default()
            },
            reasons: vec![Reason::new(
                Source::Rule,
                "scam.test",
                Category::Scam,
                0.9,
                spans
                    .into_iter()
                    .map(|[a, b]| jaga_core::verdict::Span::text(a, b))
                    .collect(),
                "0812 3456 7890",
            )],
            helpers: Vec::new(),
            doxing_helper_spans: Vec::new(),
        }
    }

    #[test]
    fn long_exports_are_charted_per_week_or_month() {
        let origin = Origin {
            file: "chat.txt".into(),
            line: 1,
        };
        let flagged = verdict(Some(Category::Scam), Action::Remove, vec![]);
        let chart = |days: i64| {
            let mut r = Report::new(10);
            for ts in [1_609_459_200, 1_609_459_200 + days * 86_400] {
                let ev = Event {
                    ts: Some(ts),
                    ..Event::default()
                };
                r.add(&ev, &flagged, &origin);
            }
            r.render(&[])
        };
        assert!(chart(30).contains("Flagged messages per day"));
        assert!(chart(400).contains("Flagged messages per week"));
        let html = chart(4 * 365);
        assert!(html.contains("Flagged messages per month"));
        assert!(
            html.contains(">2021-01<") && html.contains(">2024-12<"),
            "month labels"
        );
        assert_eq!(
            html.matches("<rect").count(),
            2,
            "one bar per flagged month"
        );
    }

    #[test]
    fn highlights_and_masks_together() {
        let t = "transfer ke 081234567890 <sekarang>";
        let h = highlighted(t, &[[0, 8], [12, 16]], &[]);
        assert_eq!(
            h,
            "<mark>transfer</mark> ke <mark>0812****7890</mark> &lt;sekarang&gt;"
        );
        assert!(!h.contains("081234567890"));
        // Out-of-range and mid-char spans are ignored, not trusted.
        let e = "💜 halo";
        assert_eq!(highlighted(e, &[[1, 3], [0, 99]], &[]), "💜 halo");
        // The doxing stage's entities win over the generic finder, whatever they cover.
        let t = "alamat Jl. Melati No. 12, wa 081234567890";
        let ent = [mask::Masked {
            range: 7..24,
            replacement: "Jl. Me**** No. **".into(),
        }];
        assert_eq!(
            highlighted(t, &[], &ent),
            "alamat Jl. Me**** No. **, wa 0812****7890"
        );
    }

    #[test]
    fn keeps_only_the_most_severe_and_counts_the_rest() {
        let mut r = Report::new(2);
        let origin = Origin {
            file: "chat.txt".into(),
            line: 1,
        };
        let ev = Event {
            text: "hubungi 081234567890".into(),
            name: "+62 812-3456-7890".into(),
            user: "+62 812-3456-7890".into(),
            group: "ARMY".into(),
            ts: Some(1_709_287_200),
            ..Event::default()
        };
        r.add(
            &ev,
            &verdict(Some(Category::Scam), Action::Review, vec![[8, 20]]),
            &origin,
        );
        r.add(
            &ev,
            &verdict(Some(Category::Scam), Action::Remove, vec![[8, 20]]),
            &origin,
        );
        r.add(
            &ev,
            &verdict(Some(Category::Scam), Action::Ban, vec![]),
            &origin,
        );
        r.add(&ev, &verdict(None, Action::Allow, vec![]), &origin);
        assert_eq!((r.flagged(), r.kept.len(), r.events), (3, 2, 4));
        let html = r.render(&[]);
        assert!(html.contains("The 2 most severe of 3 flagged events"));
        let flagged =
            &html[html.find("id=\"flagged\"").unwrap()..html.find("id=\"actions\"").unwrap()];
        assert!(
            flagged.contains("act act5")
                && flagged.contains("act act3")
                && !flagged.contains("act act1"),
            "the two most severe are listed"
        );
        // Both languages, plain words, and what each action means on each platform.
        assert!(
            html.contains("Laporan jaga") && html.contains(">Ban<") && !html.contains(">Tolak<")
        );
        let actions = &html[html.find("id=\"actions\"").unwrap()..];
        assert!(
            actions.contains("WhatsApp has no ban list") && actions.contains("diblokir dari grup")
        );
        assert!(
            html.contains("+62 812-····-7890"),
            "the sender as the app shows them, masked"
        );
        assert!(
            !html.contains("081234567890") && !html.contains("812-3456-7890"),
            "personal data is masked"
        );
        assert!(html.contains("0812****7890"));
        assert!(html.contains("<svg") && html.contains("2024-03-01"));
        assert!(
            !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
            "no network, no script"
        );
    }

    #[test]
    fn the_csv_has_one_masked_row_per_flagged_event_in_plain_words() {
        let origin = Origin {
            file: "chat.txt".into(),
            line: 7,
        };
        let ev = Event {
            text: "=HYPERLINK(\"x\") transfer ke 081234567890, \"ya\"".into(),
            name: "+62 812-3456-7890".into(),
            group: "ARMY".into(),
            ts: Some(1_709_287_200),
            ..Event::default()
        };
        let mut csv = Csv::new(Vec::new(), vocab::Lang::En, &[]);
        csv.add(
            &ev,
            &verdict(Some(Category::Scam), Action::Remove, vec![]),
            &origin,
        );
        csv.add(&ev, &verdict(None, Action::Allow, vec![]), &origin);
        let out = String::from_utf8(csv.finish().unwrap()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines.len(),
            2,
            "a header and the flagged event only:\n{out}"
        );
        assert!(lines[0].starts_with("time,group,sender,category,action,on WhatsApp"));
        let row = lines[1];
        // A leading + would be a formula in a spreadsheet too.
        assert!(
            row.starts_with("2024-03-01 10:00,ARMY,'+62 812-····-7890,Scam,Remove,"),
            "{row}"
        );
        assert!(
            row.contains("\"'=HYPERLINK(\"\"x\"\") transfer ke 0812****7890, \"\"ya\"\"\""),
            "quoted, masked, no formula: {row}"
        );
        assert!(!out.contains("081234567890") && row.ends_with("chat.txt:7"));
        let id = Csv::new(Vec::new(), vocab::Lang::Id, &[]).finish().unwrap();
        assert!(String::from_utf8(id)
            .unwrap()
            .starts_with("waktu,grup,pengirim"));
    }
}
