//! WhatsApp's system lines, deleted-message and media markers in the languages its apps
//! export in: one table per language.
//!
//! A system line is matched against templates: literal text with `{x}` (who joined, was
//! added, left), `{a}` (who did it) and `{*}` (any text). The first literal is anchored at
//! the start of the line, the last at its end, the others at their leftmost place.
//!
//! The tables are written from WhatsApp's Android and iOS strings as exported. Wordings
//! change between app versions and differ by platform and gender (Russian `добавил(а)`,
//! Hindi `जुड़े`/`जुड़ा`), so where a wording is uncertain the template keeps only its
//! stable part, the key verb or noun, and lets `{*}` take the rest: `{a} добавил{*} {x}`,
//! `{*}код безопасности{*}`. Entries marked `(key)` are such robust matches; the others are
//! exact wordings. A line no language recognises is `Unknown`: the reader keeps it as text of
//! the message above it, so an unrecognised line is scored, never dropped.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// What a system line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum System<'a> {
    /// Joined via an invite link (or from the community): who.
    Joined(&'a str),
    /// Added by someone: the names (`A, B and C`), in the matched language.
    Added(Names<'a>),
    /// The exporting user themself joined, was added or removed.
    You,
    Left,
    Removed,
    Created,
    /// The subject (group name) changed.
    Subject,
    Description,
    Icon,
    /// A member's security code changed.
    Security,
    Encryption,
    /// Another known system line (admins, pinned messages, calls, disappearing messages...).
    Other,
    /// Not recognised: another language, or text that only looks like a header.
    Unknown,
}

/// A list of names from an `added` line, split by the separators of its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Names<'a> {
    pub(crate) list: &'a str,
    lang: &'static Lang,
}

impl<'a> Names<'a> {
    /// The added users, without the exporting user (`you`, `dich`, `вас`...).
    pub(crate) fn others(&self) -> impl Iterator<Item = &'a str> + '_ {
        split_names(self.list, self.lang).filter(|n| !self.lang.is_self(n))
    }
}

/// One language's system lines and markers.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Lang {
    /// ISO 639-1 code, for tests and notes.
    pub(crate) code: &'static str,
    /// How the exporting user is named in system lines (`You`, `Du`, `dich`, `вас`).
    you: &'static [&'static str],
    /// What joins the last two names of a list (`A, B and C`).
    and: &'static [&'static str],
    /// Endings that grammar glues to a name and that are not part of it (Hindi `ने`).
    name_suffixes: &'static [&'static str],
    joined: &'static [&'static str],
    added: &'static [&'static str],
    /// Lines that only say the exporting user was added or joined.
    self_lines: &'static [&'static str],
    left: &'static [&'static str],
    removed: &'static [&'static str],
    created: &'static [&'static str],
    subject: &'static [&'static str],
    description: &'static [&'static str],
    icon: &'static [&'static str],
    security: &'static [&'static str],
    encryption: &'static [&'static str],
    /// The whole first line of a deleted message (a trailing `.` is ignored).
    pub(crate) deleted: &'static [&'static str],
    /// The whole first line of a message whose media was left out of the export.
    pub(crate) media_omitted: &'static [&'static str],
    /// `<name> (file attached)`: the suffix after a file name.
    pub(crate) file_attached: &'static [&'static str],
}

impl Lang {
    fn is_self(&self, name: &str) -> bool {
        self.you.contains(&name) || EN.you.contains(&name)
    }

    fn templates(&self) -> [&'static [&'static str]; 11] {
        [
            self.joined,
            self.added,
            self.self_lines,
            self.left,
            self.removed,
            self.created,
            self.subject,
            self.description,
            self.icon,
            self.security,
            self.encryption,
        ]
    }
}

pub(crate) static EN: Lang = Lang {
    code: "en",
    you: &["You", "you"],
    and: &[" and "],
    name_suffixes: &[],
    joined: &[
        "{x} joined using this group's invite link",
        "{x} joined using this community's invite link",
        "{x} joined using a group link",
        "{x} joined via invite link",
        "{x} joined from the community",
        "{x} joined",
    ],
    added: &["{a} added {x}", "{x} was added", "{x} were added"],
    self_lines: &["You were added{*}", "You're now a member{*}"],
    left: &["{x} left", "{x} left the group"],
    removed: &["{a} removed {x}", "{x} was removed", "{x} were removed"],
    created: &[
        "{a} created group {*}",
        "{a} created this group",
        "{a} created the group{*}",
        "{a} created community {*}",
    ],
    subject: &[
        "{a} changed the subject {*}",
        "{a} changed the group name{*}",
        "{a} changed this group's name{*}",
    ],
    description: &[
        "{a} changed the group description{*}",
        "{a} changed this group's description{*}",
        "{a} deleted the group description{*}",
    ],
    icon: &[
        "{a} changed this group's icon",
        "{a} changed the group icon",
        "{a} deleted this group's icon",
        "{a} removed this group's icon",
    ],
    security: &["{*}security code{*}"],
    encryption: &["{*}end-to-end{*}"],
    deleted: &["This message was deleted", "You deleted this message"],
    media_omitted: &[
        "<Media omitted>",
        "image omitted",
        "video omitted",
        "audio omitted",
        "sticker omitted",
        "GIF omitted",
        "Contact card omitted",
        "document omitted",
    ],
    file_attached: &[" (file attached)"],
};

static ID: Lang = Lang {
    code: "id",
    you: &["Anda", "anda", "Kamu", "kamu"],
    and: &[" dan "],
    name_suffixes: &[],
    joined: &[
        "{x} telah bergabung menggunakan tautan undangan grup ini",
        "{x} bergabung menggunakan tautan undangan grup ini",
        "{x} telah bergabung menggunakan tautan undangan komunitas ini",
        "{x} bergabung menggunakan tautan undangan komunitas ini",
        "{x} bergabung menggunakan tautan grup",
        "{x} bergabung dari komunitas",
        "{x} telah bergabung",
        "{x} bergabung",
    ],
    added: &["{a} menambahkan {x}", "{x} ditambahkan"],
    self_lines: &[],
    left: &["{x} keluar", "{x} telah keluar", "{x} keluar dari grup"],
    removed: &["{a} mengeluarkan {x}", "{x} dikeluarkan"],
    created: &[
        "{a} membuat grup{*}",
        "{a} telah membuat grup{*}",
        "{a} membuat komunitas{*}",
    ],
    subject: &[
        "{a} mengubah subjek{*}",
        "{a} telah mengubah subjek{*}",
        "{a} mengubah nama grup{*}",
    ],
    description: &[
        "{a} mengubah deskripsi grup{*}",
        "{a} menghapus deskripsi grup{*}",
    ],
    icon: &[
        "{a} mengubah ikon grup{*}",
        "{a} menghapus ikon grup{*}",
        "{a} mengubah foto grup{*}",
    ],
    security: &["{*}kode keamanan{*}"],
    encryption: &["{*}terenkripsi{*}"],
    deleted: &[
        "Pesan ini telah dihapus",
        "Pesan ini dihapus",
        "Anda menghapus pesan ini",
        "Kamu menghapus pesan ini",
    ],
    media_omitted: &[
        "<Media tidak disertakan>",
        "gambar tidak disertakan",
        "video tidak disertakan",
        "audio tidak disertakan",
        "stiker tidak disertakan",
        "GIF tidak disertakan",
        "kartu kontak tidak disertakan",
        "dokumen tidak disertakan",
    ],
    file_attached: &[" (file terlampir)"],
};

static DE: Lang = Lang {
    code: "de",
    you: &["Du", "du", "Dich", "dich", "Sie"],
    and: &[" und "],
    name_suffixes: &[],
    joined: &[
        "{x} ist dieser Gruppe über den Einladungslink beigetreten",
        "{x} ist der Gruppe über den Einladungslink beigetreten",
        // (key) other word orders: `ist über den Einladungslink dieser Gruppe beigetreten`.
        "{x} ist {*}beigetreten",
        "{x} bist {*}beigetreten",
    ],
    added: &[
        "{a} hat {x} hinzugefügt",
        "{a} hast {x} hinzugefügt",
        "{x} wurde hinzugefügt",
        "{x} wurden hinzugefügt",
    ],
    self_lines: &[],
    left: &[
        "{x} hat die Gruppe verlassen",
        "{x} hast die Gruppe verlassen",
        "{x} ist ausgetreten",
    ],
    removed: &[
        "{a} hat {x} entfernt",
        "{a} hast {x} entfernt",
        "{x} wurde entfernt",
    ],
    // (key) `erstellt` with `Gruppe`: quotes and word order vary.
    created: &[
        "{a} hat {*}Gruppe{*}erstellt",
        "{a} hast {*}Gruppe{*}erstellt",
    ],
    subject: &[
        "{a} hat den Betreff{*}",
        "{a} hast den Betreff{*}",
        "{a} hat den Gruppennamen{*}",
        "{a} hast den Gruppennamen{*}",
    ],
    description: &["{*}Gruppenbeschreibung{*}"],
    icon: &["{*}Gruppenbild{*}"],
    security: &["{*}Sicherheitsnummer{*}"],
    encryption: &["{*}Ende-zu-Ende{*}"],
    deleted: &[
        "Diese Nachricht wurde gelöscht",
        "Du hast diese Nachricht gelöscht",
    ],
    media_omitted: &[
        "<Medien ausgeschlossen>",
        "<Medien weggelassen>",
        "Bild weggelassen",
        "Video weggelassen",
        "Audio weggelassen",
        "Sticker weggelassen",
        "GIF weggelassen",
        "Dokument weggelassen",
    ],
    file_attached: &[" (Datei angehängt)"],
};

static ES: Lang = Lang {
    code: "es",
    you: &["Tú", "tú", "te", "Te"],
    and: &[" y ", " e "],
    name_suffixes: &[],
    joined: &[
        "{x} se unió usando el enlace de invitación de este grupo",
        "{x} se unió con el enlace de invitación de este grupo",
        "{x} se unió{*}",
    ],
    added: &[
        "{a} añadió a {x}",
        "{a} agregó a {x}",
        "Añadiste a {x}",
        "Agregaste a {x}",
    ],
    self_lines: &[
        "{a} te añadió{*}",
        "{a} te agregó{*}",
        "Te uniste{*}",
        "Te añadieron{*}",
    ],
    left: &["{x} salió{*}", "Saliste{*}"],
    removed: &["{a} eliminó a {x}", "Eliminaste a {x}", "{a} te eliminó{*}"],
    created: &["{a} creó el grupo{*}", "Creaste el grupo{*}"],
    subject: &[
        "{a} cambió el asunto{*}",
        "Cambiaste el asunto{*}",
        "{a} cambió el nombre del grupo{*}",
        "Cambiaste el nombre del grupo{*}",
    ],
    description: &["{*}la descripción del grupo{*}"],
    icon: &[
        "{*}el ícono de este grupo{*}",
        "{*}el icono de este grupo{*}",
        "{*}la imagen del grupo{*}",
        "{*}la foto del grupo{*}",
    ],
    security: &["{*}código de seguridad{*}"],
    encryption: &["{*}extremo a extremo{*}"],
    deleted: &[
        "Se eliminó este mensaje",
        "Eliminaste este mensaje",
        "Este mensaje fue eliminado",
    ],
    media_omitted: &[
        "<Multimedia omitido>",
        "imagen omitida",
        "video omitido",
        "audio omitido",
        "sticker omitido",
        "GIF omitido",
        "documento omitido",
    ],
    file_attached: &[" (archivo adjunto)"],
};

static PT: Lang = Lang {
    code: "pt",
    you: &["Você", "você"],
    and: &[" e "],
    name_suffixes: &[],
    joined: &[
        "{x} entrou usando o link de convite deste grupo",
        "{x} entrou usando o link de convite{*}",
        "{x} entrou{*}",
    ],
    added: &["{a} adicionou {x}", "{x} foi adicionado{*}"],
    self_lines: &[],
    left: &["{x} saiu{*}"],
    removed: &["{a} removeu {x}", "{x} foi removido{*}"],
    created: &["{a} criou o grupo{*}", "{a} criou este grupo"],
    subject: &[
        "{a} mudou o assunto{*}",
        "{a} alterou o assunto{*}",
        "{a} mudou o nome do grupo{*}",
        "{a} alterou o nome do grupo{*}",
    ],
    description: &["{*}a descrição do grupo{*}"],
    icon: &[
        "{*}a imagem deste grupo{*}",
        "{*}a imagem do grupo{*}",
        "{*}o ícone do grupo{*}",
        "{*}a foto do grupo{*}",
    ],
    security: &["{*}código de segurança{*}"],
    encryption: &["{*}ponta a ponta{*}"],
    deleted: &[
        "Mensagem apagada",
        "Você apagou esta mensagem",
        "Esta mensagem foi apagada",
        "Essa mensagem foi apagada",
    ],
    media_omitted: &[
        "<Mídia oculta>",
        "<Arquivo de mídia oculto>",
        "<Mídia omitida>",
    ],
    file_attached: &[" (arquivo anexado)"],
};

static FR: Lang = Lang {
    code: "fr",
    you: &["Vous", "vous"],
    and: &[" et "],
    name_suffixes: &[],
    joined: &[
        "{x} a rejoint ce groupe via le lien d'invitation",
        "{x} a rejoint le groupe via le lien d'invitation",
        "{x} a rejoint{*}",
        "{x} avez rejoint{*}",
    ],
    added: &[
        "{a} a ajouté {x}",
        "{a} avez ajouté {x}",
        "{x} a été ajouté{*}",
    ],
    self_lines: &["{a} vous a ajouté{*}"],
    left: &[
        "{x} est parti",
        "{x} est partie",
        "{x} a quitté{*}",
        "{x} avez quitté{*}",
        "{x} êtes parti{*}",
    ],
    removed: &[
        "{a} a retiré {x}",
        "{a} avez retiré {x}",
        "{a} vous a retiré{*}",
        "{x} a été retiré{*}",
    ],
    created: &[
        "{a} a créé le groupe{*}",
        "{a} avez créé le groupe{*}",
        "{a} a créé ce groupe",
    ],
    // (key) `modifié` or `changé`, with the subject or the group's name.
    subject: &[
        "{a} a {*}le sujet{*}",
        "{a} avez {*}le sujet{*}",
        "{a} a {*}le nom du groupe{*}",
        "{a} avez {*}le nom du groupe{*}",
    ],
    description: &["{*}la description du groupe{*}"],
    icon: &[
        "{*}l'icône de ce groupe{*}",
        "{*}l'icône du groupe{*}",
        "{*}la photo du groupe{*}",
    ],
    security: &["{*}code de sécurité{*}"],
    encryption: &["{*}de bout en bout{*}"],
    deleted: &["Ce message a été supprimé", "Vous avez supprimé ce message"],
    media_omitted: &[
        "<Médias omis>",
        "<Média omis>",
        "image absente",
        "vidéo absente",
    ],
    file_attached: &[" (fichier joint)"],
};

static IT: Lang = Lang {
    code: "it",
    you: &["Tu", "tu", "te", "Te"],
    and: &[" e "],
    name_suffixes: &[],
    joined: &[
        "{x} si è unito tramite il link d'invito al gruppo",
        "{x} si è unito usando il link d'invito di questo gruppo",
        // (key) `unito`/`unita`, by gender.
        "{x} si è unit{*}",
    ],
    added: &[
        "{a} ha aggiunto {x}",
        "Hai aggiunto {x}",
        "{x} è stato aggiunto{*}",
    ],
    self_lines: &["{a} ti ha aggiunto{*}", "Ti sei unit{*}"],
    left: &[
        "{x} è uscito{*}",
        "{x} è uscita{*}",
        "{x} ha abbandonato{*}",
        "Sei uscit{*}",
        "Hai abbandonato{*}",
    ],
    removed: &[
        "{a} ha rimosso {x}",
        "Hai rimosso {x}",
        "{a} ti ha rimosso{*}",
    ],
    created: &[
        "{a} ha creato il gruppo{*}",
        "Hai creato il gruppo{*}",
        "{a} ha creato questo gruppo",
    ],
    subject: &[
        "{a} ha {*}l'oggetto{*}",
        "Hai {*}l'oggetto{*}",
        "{a} ha {*}il nome del gruppo{*}",
        "Hai {*}il nome del gruppo{*}",
    ],
    description: &["{*}la descrizione del gruppo{*}"],
    icon: &[
        "{*}l'immagine di questo gruppo{*}",
        "{*}l'immagine del gruppo{*}",
        "{*}l'icona del gruppo{*}",
    ],
    security: &["{*}codice di sicurezza{*}"],
    encryption: &["{*}crittografat{*}"],
    deleted: &[
        "Questo messaggio è stato eliminato",
        "Hai eliminato questo messaggio",
    ],
    media_omitted: &[
        "<Media omessi>",
        "immagine omessa",
        "video omesso",
        "audio omesso",
        "sticker omesso",
        "documento omesso",
    ],
    file_attached: &[" (file allegato)"],
};

static NL: Lang = Lang {
    code: "nl",
    you: &["Je", "je", "Jij", "jij", "U", "u"],
    and: &[" en "],
    name_suffixes: &[],
    joined: &[
        "{x} is lid geworden via de uitnodigingslink van deze groep",
        "{x} neemt deel via de uitnodigingslink van deze groep",
        "{x} is lid geworden{*}",
        "{x} bent lid geworden{*}",
        "{x} neemt deel{*}",
        "{x} heeft deelgenomen{*}",
    ],
    added: &[
        "{a} heeft {x} toegevoegd",
        "{a} hebt {x} toegevoegd",
        "{x} is toegevoegd",
    ],
    self_lines: &[],
    left: &[
        "{x} heeft de groep verlaten",
        "{x} hebt de groep verlaten",
        "{x} is vertrokken",
        "{x} bent vertrokken",
    ],
    removed: &["{a} heeft {x} verwijderd", "{a} hebt {x} verwijderd"],
    // (key) `aangemaakt` (created), whatever the quotes around the name.
    created: &["{a} heeft {*}aangemaakt", "{a} hebt {*}aangemaakt"],
    subject: &[
        "{a} heeft het onderwerp{*}",
        "{a} hebt het onderwerp{*}",
        "{a} heeft de groepsnaam{*}",
        "{a} hebt de groepsnaam{*}",
    ],
    description: &["{*}groepsbeschrijving{*}"],
    icon: &[
        "{*}groepsafbeelding{*}",
        "{*}afbeelding van deze groep{*}",
        "{*}groepsicoon{*}",
    ],
    security: &["{*}beveiligingscode{*}"],
    encryption: &["{*}versleuteld{*}"],
    deleted: &[
        "Dit bericht is verwijderd",
        "Je hebt dit bericht verwijderd",
        "U hebt dit bericht verwijderd",
    ],
    media_omitted: &[
        "<Media weggelaten>",
        "afbeelding weggelaten",
        "video weggelaten",
        "audio weggelaten",
        "sticker weggelaten",
        "document weggelaten",
    ],
    file_attached: &[" (bestand bijgevoegd)"],
};

static MS: Lang = Lang {
    code: "ms",
    you: &["Anda", "anda", "Awak", "awak"],
    and: &[" dan "],
    name_suffixes: &[],
    joined: &[
        "{x} menyertai menggunakan pautan jemputan kumpulan ini",
        "{x} telah menyertai menggunakan pautan jemputan kumpulan ini",
        "{x} telah menyertai{*}",
        "{x} menyertai{*}",
    ],
    added: &[
        "{a} menambah {x}",
        "{a} telah menambah {x}",
        "{x} telah ditambah{*}",
    ],
    self_lines: &[],
    left: &["{x} telah keluar", "{x} meninggalkan kumpulan{*}"],
    removed: &[
        "{a} membuang {x}",
        "{a} telah membuang {x}",
        "{a} telah mengeluarkan {x}",
    ],
    created: &["{a} mencipta kumpulan{*}", "{a} telah mencipta kumpulan{*}"],
    subject: &[
        "{a} menukar subjek{*}",
        "{a} telah menukar subjek{*}",
        "{a} menukar nama kumpulan{*}",
    ],
    description: &["{*}penerangan kumpulan{*}", "{*}keterangan kumpulan{*}"],
    icon: &["{*}ikon kumpulan{*}", "{*}gambar kumpulan{*}"],
    security: &["{*}kod keselamatan{*}"],
    encryption: &["{*}disulitkan{*}", "{*}hujung ke hujung{*}"],
    deleted: &[
        "Mesej ini telah dipadam",
        "Anda telah memadam mesej ini",
        "Anda memadam mesej ini",
    ],
    media_omitted: &["<Media dikecualikan>", "<Media tidak disertakan>"],
    file_attached: &[" (fail dilampirkan)"],
};

static TR: Lang = Lang {
    code: "tr",
    you: &["Siz", "siz", "Sizi", "sizi", "Sen", "sen", "Seni", "seni"],
    and: &[" ve "],
    // Case endings after an apostrophe: `Budi'yi`, `Sari'yi`, `Ali'yi` (see `clean_name`).
    name_suffixes: &[],
    joined: &[
        "{x} bu grubun davet bağlantısını kullanarak katıldı",
        "{x} bu grubun davet bağlantısıyla katıldı",
        "{x} davet bağlantısıyla katıldı",
        "{x} davet bağlantısını kullanarak katıldı",
        "{x} gruba katıldı",
        "{x} katıldı",
    ],
    added: &[
        "{a}, {x} kişisini ekledi",
        "{a}, {x} adlı kişiyi ekledi",
        "{a}, {x} ekledi",
        "{x} kişisini eklediniz",
        "{x} eklediniz",
        "{x} eklendi",
    ],
    self_lines: &["{a} sizi ekledi{*}", "{a} seni ekledi{*}"],
    left: &["{x} ayrıldı", "{x} gruptan ayrıldı", "{*}ayrıldınız"],
    removed: &[
        "{a}, {x} kişisini çıkardı",
        "{a}, {x} adlı kişiyi çıkardı",
        "{a}, {x} çıkardı",
        "{x} kişisini çıkardınız",
        "{x} çıkardınız",
        "{a} sizi çıkardı{*}",
    ],
    created: &["{*}grubunu oluşturdu{*}", "{*}grubu oluşturdu{*}"],
    // (key) `değiştirdi` (changed) with the subject or the group's name.
    subject: &["{*}konuyu{*}değiştirdi{*}", "{*}grup adını{*}değiştirdi{*}"],
    description: &["{*}grup açıklamasını{*}"],
    icon: &[
        "{*}grubun simgesini{*}",
        "{*}grup simgesini{*}",
        "{*}grup resmini{*}",
        "{*}grubun resmini{*}",
    ],
    security: &["{*}güvenlik kodu{*}"],
    encryption: &["{*}uçtan uca{*}"],
    deleted: &["Bu mesaj silindi", "Bu mesajı sildiniz"],
    media_omitted: &[
        "<Medya dahil edilmedi>",
        "<Medya atlandı>",
        "<Medya hariç tutuldu>",
    ],
    file_attached: &[" (dosya ekli)"],
};

static RU: Lang = Lang {
    code: "ru",
    you: &["Вы", "вы", "Вас", "вас", "Ты", "ты", "тебя"],
    and: &[" и "],
    name_suffixes: &[],
    // (key) verbs with gendered endings: `присоединился`, `присоединилась`, `присоединился(-ась)`.
    joined: &["{x} присоединил{*}", "{x} вступил{*}"],
    added: &["{a} добавил{*} {x}"],
    self_lines: &[],
    left: &[
        "{x} вышел{*}",
        "{x} вышла{*}",
        "{x} вышли{*}",
        "{x} покинул{*}",
    ],
    removed: &["{a} удалил{*} {x}", "{a} исключил{*} {x}"],
    created: &["{*}создал{*} группу{*}"],
    subject: &["{*}изменил{*} тему{*}", "{*}изменил{*} название{*}"],
    description: &["{*}описание группы{*}"],
    icon: &[
        "{*}изображение{*}группы{*}",
        "{*}фото группы{*}",
        "{*}значок группы{*}",
    ],
    security: &["{*}код безопасности{*}"],
    encryption: &["{*}шифрован{*}"],
    deleted: &[
        "Данное сообщение удалено",
        "Это сообщение удалено",
        "Сообщение удалено",
        "Вы удалили данное сообщение",
        "Вы удалили это сообщение",
    ],
    media_omitted: &[
        "<Без медиафайлов>",
        "<Медиафайлы не включены>",
        "<Медиафайл отсутствует>",
        "<Медиа отсутствуют>",
    ],
    file_attached: &[" (файл добавлен)", " (файл прикреплён)"],
};

static AR: Lang = Lang {
    code: "ar",
    you: &["أنت", "أنتَ", "أنتِ"],
    and: &[" و"],
    name_suffixes: &[],
    // (key) Arabic puts the verb first or the name first depending on the app version.
    joined: &[
        "{x} انضم{*}",
        "انضم {x} باستخدام{*}",
        "انضمت {x} باستخدام{*}",
        "{x} انضمت{*}",
    ],
    added: &["{a} أضاف {x}", "{a} أضافت {x}", "أضفت {x}", "تمت إضافة {x}"],
    self_lines: &[
        "{a} أضافك{*}",
        "{a} أضافتك{*}",
        "تمت إضافتك{*}",
        "انضممت{*}",
    ],
    left: &["{x} غادر{*}", "غادرت{*}"],
    removed: &["{a} أزال {x}", "{a} أزالت {x}", "أزلت {x}", "{a} أزالك{*}"],
    created: &["{*}أنشأ{*}"],
    subject: &["{*}الموضوع{*}", "{*}اسم المجموعة{*}"],
    description: &["{*}وصف المجموعة{*}"],
    icon: &[
        "{*}صورة{*}المجموعة{*}",
        "{*}رمز المجموعة{*}",
        "{*}أيقونة{*}",
    ],
    security: &["{*}رمز الأمان{*}"],
    encryption: &["{*}مشفرة{*}", "{*}التشفير{*}"],
    deleted: &[
        "تم حذف هذه الرسالة",
        "لقد حذفت هذه الرسالة",
        "حذفت هذه الرسالة",
    ],
    media_omitted: &[
        "<تم استبعاد الوسائط>",
        "<الوسائط غير مضمنة>",
        "<تم حذف الوسائط>",
        "<الوسائط محذوفة>",
    ],
    file_attached: &[" (ملف مرفق)"],
};

static HI: Lang = Lang {
    code: "hi",
    you: &["आप", "आपको", "आपने"],
    and: &[" और "],
    // The ergative and object markers follow the name as separate words.
    name_suffixes: &[" ने", " को"],
    joined: &[
        "{x} ने इस ग्रुप{*}लिंक{*}",
        "{x} इस ग्रुप{*}लिंक{*}",
        "{x} ग्रुप{*}लिंक{*}",
        // (key) `जुड़े`/`जुड़ा`/`जुड़ीं`, `शामिल हुए`: joined.
        "{x} जुड़{*}",
        "{x} शामिल हु{*}",
    ],
    added: &[
        "{a} ने {x} को जोड़{*}",
        "आपने {x} को जोड़{*}",
        "{x} को जोड़ा गया{*}",
    ],
    self_lines: &["{a} ने आपको जोड़{*}"],
    left: &[
        "{x} ने ग्रुप छोड़{*}",
        "{x} ने छोड़{*}",
        "आपने{*}छोड़{*}",
        "{x} चले गए{*}",
        "{x} चली गई{*}",
        "{x} बाहर निकल{*}",
    ],
    removed: &[
        "{a} ने {x} को हटा{*}",
        "आपने {x} को हटा{*}",
        "{a} ने {x} को निकाल{*}",
        "आपने {x} को निकाल{*}",
    ],
    created: &["{*}ग्रुप{*}बनाया{*}"],
    subject: &["{*}विषय{*}", "{*}ग्रुप का नाम{*}", "{*}ग्रुप नाम{*}"],
    description: &["{*}विवरण{*}"],
    icon: &["{*}आइकन{*}", "{*}ग्रुप फ़ोटो{*}", "{*}ग्रुप की फ़ोटो{*}"],
    security: &["{*}सुरक्षा कोड{*}"],
    encryption: &["{*}एंड-टू-एंड{*}", "{*}एन्क्रिप्ट{*}"],
    deleted: &[
        "यह संदेश हटा दिया गया था",
        "यह मैसेज हटा दिया गया था",
        "यह मैसेज डिलीट कर दिया गया",
        "आपने यह संदेश हटा दिया",
        "आपने यह मैसेज डिलीट किया",
        "आपने यह मैसेज डिलीट कर दिया",
    ],
    media_omitted: &[
        "<मीडिया हटा दिया गया>",
        "<मीडिया छोड़ दिया गया>",
        "<मीडिया शामिल नहीं है>",
        "<मीडिया नहीं जोड़ा गया>",
    ],
    file_attached: &[" (फ़ाइल संलग्न)", " (फ़ाइल अटैच की गई)"],
};

/// Every language, most common in jaga's communities first.
pub(crate) static LANGS: &[&Lang] = &[
    &ID, &EN, &MS, &DE, &ES, &PT, &FR, &IT, &NL, &TR, &RU, &AR, &HI,
];

/// System lines known in English and Indonesian that are neither joins nor the kinds above:
/// matched anywhere in the line.
const OTHER: &[&str] = &[
    " deleted this group",
    " pinned a message",
    " menyematkan pesan",
    " now an admin",
    "re now an admin",
    " no longer an admin",
    " sekarang admin",
    " bukan admin lagi",
    "disappearing messages",
    "pesan sementara",
    " requested to join",
    " meminta untuk bergabung",
    "Missed voice call",
    "Missed video call",
    "Panggilan suara tak terjawab",
    "Panggilan video tak terjawab",
    " started a call",
    " memulai panggilan",
    "admin approval",
    "persetujuan admin",
    "Waiting for this message",
    "Menunggu pesan ini",
    " changed their phone number",
    " mengganti nomor teleponnya",
    " changed the settings",
    " mengubah setelan",
    " changed ",
    " mengubah ",
];

/// Longest line, in bytes, looked at as a system line.
const MAX_SYSTEM_LINE: usize = 4096;

/// The captures of a template match.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Caps<'t> {
    a: Option<&'t str>,
    x: Option<&'t str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'p> {
    Lit(&'p str),
    Hole(u8),
}

/// The template's pieces: literals and holes (`a`, `x`, `*`).
fn tokens(tpl: &str) -> impl Iterator<Item = Tok<'_>> {
    let mut rest = tpl;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        for (hole, name) in [("{a}", b'a'), ("{x}", b'x'), ("{*}", b'*')] {
            if let Some(r) = rest.strip_prefix(hole) {
                rest = r;
                return Some(Tok::Hole(name));
            }
        }
        let end = rest.find('{').filter(|&i| i > 0).unwrap_or(rest.len());
        let (lit, r) = rest.split_at(end);
        rest = r;
        Some(Tok::Lit(lit))
    })
}

/// Whether `lit` is at `at` in `hay`, ignoring case (app versions capitalise differently);
/// an ASCII `'` in a template also matches `’`, which iOS and newer Android versions write.
/// Returns the end of the match.
fn lit_at(hay: &str, at: usize, lit: &str) -> Option<usize> {
    let mut h = hay.get(at..)?.chars();
    let mut end = at;
    for c in lit.chars() {
        let got = h.next()?;
        let same = got == c
            || (c == '\'' && got == '’')
            || (!c.is_ascii_punctuation() && c.to_lowercase().eq(got.to_lowercase()));
        if !same {
            return None;
        }
        end += got.len_utf8();
    }
    Some(end)
}

/// Leftmost match of `lit` in `hay[from..to]`: its start and end.
fn find_lit(hay: &str, from: usize, to: usize, lit: &str) -> Option<(usize, usize)> {
    let window = hay.get(from..to)?;
    window.char_indices().find_map(|(i, _)| {
        lit_at(hay, from + i, lit)
            .filter(|&e| e <= to)
            .map(|e| (from + i, e))
    })
}

/// Matches a whole line against a template.
fn matches<'t>(tpl: &str, text: &'t str) -> Option<Caps<'t>> {
    let toks: Vec<Tok<'_>> = tokens(tpl).collect();
    let (mut pos, mut end) = (0, text.len());
    let mut body = &toks[..];
    if let [Tok::Lit(first), rest @ ..] = body {
        pos = lit_at(text, 0, first)?;
        body = rest;
    }
    if let [rest @ .., Tok::Lit(last)] = body {
        // The last literal ends the line: find where it would start.
        let start = text
            .char_indices()
            .map(|(i, _)| i)
            .rev()
            .take_while(|&i| i >= pos)
            .find(|&i| lit_at(text, i, last) == Some(text.len()))?;
        end = start;
        body = rest;
    } else if body.is_empty() && pos != text.len() {
        return None;
    }
    let mut caps = Caps::default();
    let mut hole: Option<u8> = None;
    let fill = |name: u8, s: &'t str, caps: &mut Caps<'t>| -> Option<()> {
        match name {
            b'a' if !s.trim().is_empty() => caps.a = Some(s.trim()),
            b'x' if !s.trim().is_empty() => caps.x = Some(s.trim()),
            b'*' => {}
            _ => return None,
        }
        Some(())
    };
    for tok in body {
        match *tok {
            Tok::Hole(name) => {
                if let Some(prev) = hole.replace(name) {
                    // Two holes in a row: the first takes nothing.
                    fill(prev, "", &mut caps)?;
                }
            }
            Tok::Lit(lit) => match hole.take() {
                Some(name) => {
                    let (s, e) = find_lit(text, pos, end, lit)?;
                    fill(name, &text[pos..s], &mut caps)?;
                    pos = e;
                }
                None => pos = lit_at(text, pos, lit).filter(|&e| e <= end)?,
            },
        }
    }
    match hole {
        Some(name) => fill(name, &text[pos..end], &mut caps)?,
        None if pos != end => return None,
        None => {}
    }
    Some(caps)
}

/// A line prepared for matching: the line, and which template literals it contains.
struct Line<'t> {
    text: &'t str,
    /// Indexed by literal id of [`Index`]: whether the folded line contains it.
    present: Vec<bool>,
}

/// Lowercase, with `’` as `'`: what a template's literals are compared with, quickly.
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == '’' { '\'' } else { c })
        .collect()
}

/// Every template's literals, folded, in one automaton: a template can only match a line
/// that contains all of its literals, which one pass over the line tells for every
/// template of every language at once. Only those templates are walked.
struct Index {
    ac: aho_corasick::AhoCorasick,
    /// The literal ids of each template, by the template's address (every template is a
    /// `'static` string of the tables): a lookup per template per line must be cheap.
    literals: HashMap<usize, Box<[usize]>, BuildHasherDefault<AddressHasher>>,
}

/// Hashes an address as itself (shifted off its alignment bits).
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

fn address(tpl: &'static str) -> usize {
    tpl.as_ptr() as usize
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut literals = HashMap::default();
    for lang in LANGS {
        for list in lang.templates() {
            for &tpl in list {
                let lits = tokens(tpl)
                    .filter_map(|t| match t {
                        Tok::Lit(l) => Some(fold(l)),
                        Tok::Hole(_) => None,
                    })
                    .map(|l| {
                        let next = ids.len();
                        *ids.entry(l).or_insert(next)
                    })
                    .collect();
                literals.insert(address(tpl), lits);
            }
        }
    }
    let mut patterns = vec![String::new(); ids.len()];
    for (l, id) in ids {
        patterns[id] = l;
    }
    let ac = aho_corasick::AhoCorasick::new(&patterns).expect("the template literals build");
    Index { ac, literals }
});

impl<'t> Line<'t> {
    fn new(text: &'t str) -> Line<'t> {
        let index = &*INDEX;
        let mut present = vec![false; index.ac.patterns_len()];
        for m in index.ac.find_overlapping_iter(&fold(text)) {
            present[m.pattern().as_usize()] = true;
        }
        Line { text, present }
    }
}

fn first_match<'t>(tpls: &[&'static str], line: &Line<'t>) -> Option<Caps<'t>> {
    tpls.iter()
        .filter(|t| {
            INDEX
                .literals
                .get(&address(t))
                .is_none_or(|ids| ids.iter().all(|&id| line.present[id]))
        })
        .find_map(|t| matches(t, line.text))
}

/// A name as it stands in a system line, without what grammar glued to it: a Turkish case
/// ending after an apostrophe (`Budi'yi` is Budi), a Hindi `ने`, a closing full stop.
fn clean_name<'t>(name: &'t str, lang: &Lang) -> &'t str {
    let mut n = super::strip_marks(name).trim().trim_end_matches('.');
    for s in lang.name_suffixes {
        n = n.strip_suffix(s).unwrap_or(n);
    }
    if lang.code == "tr" {
        if let Some(p) = n.rfind(['\'', '’']) {
            let ending = &n[p..].trim_start_matches(['\'', '’']);
            if p > 0 && (1..=3).contains(&ending.chars().count()) {
                n = &n[..p];
            }
        }
    }
    n.trim()
}

/// `A, B and C` as names, by the separators of the language.
pub(crate) fn split_names<'t>(list: &'t str, lang: &'static Lang) -> impl Iterator<Item = &'t str> {
    list.split([',', '،'])
        .flat_map(move |p| split_any(p, lang.and))
        .map(move |n| clean_name(n, lang))
        .filter(|n| !n.is_empty())
}

fn split_any<'t>(s: &'t str, seps: &'static [&'static str]) -> impl Iterator<Item = &'t str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match seps
            .iter()
            .filter_map(|sep| r.find(sep).map(|i| (i, sep.len())))
            .min()
        {
            Some((i, n)) => {
                rest = Some(&r[i + n..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// What a system line says, in any language of [`LANGS`].
pub(crate) fn classify_system(body: &str) -> System<'_> {
    let body = super::strip_marks(body).trim_end();
    // No system line is this long (subjects are at most 100 characters): a longer line is
    // text, and matching it would only cost time.
    if body.is_empty() || body.len() > MAX_SYSTEM_LINE {
        return System::Unknown;
    }
    let line = Line::new(body);
    // Kinds are tried in this order across every language, so a line that names a group's
    // icon or subject is never taken for a removal or an addition (`удалил(а) изображение`,
    // `changed the subject from "a added b"`).
    type Pick = fn(&Lang) -> &'static [&'static str];
    let fixed: [(Pick, System<'static>); 7] = [
        (|l| l.encryption, System::Encryption),
        (|l| l.security, System::Security),
        (|l| l.created, System::Created),
        (|l| l.subject, System::Subject),
        (|l| l.description, System::Description),
        (|l| l.icon, System::Icon),
        (|l| l.self_lines, System::You),
    ];
    for (pick, kind) in fixed {
        if LANGS.iter().any(|l| first_match(pick(l), &line).is_some()) {
            return kind;
        }
    }
    for lang in LANGS {
        if let Some(who) = first_match(lang.joined, &line).and_then(|c| c.x) {
            let who = clean_name(who, lang);
            return if lang.is_self(who) {
                System::You
            } else {
                System::Joined(who)
            };
        }
    }
    if OTHER.iter().any(|p| body.contains(p)) {
        return System::Other;
    }
    for lang in LANGS {
        if let Some(list) = first_match(lang.added, &line).and_then(|c| c.x) {
            let names = Names { list, lang };
            return if names.others().next().is_none() {
                System::You
            } else {
                System::Added(names)
            };
        }
    }
    if LANGS
        .iter()
        .any(|l| first_match(l.removed, &line).is_some())
    {
        return System::Removed;
    }
    if LANGS.iter().any(|l| first_match(l.left, &line).is_some()) {
        return System::Left;
    }
    System::Unknown
}

/// Whether a message's first line (marks and spaces trimmed) says it was deleted.
pub(crate) fn is_deleted(line: &str) -> bool {
    let l = line.trim_end_matches('.');
    LANGS.iter().any(|lang| lang.deleted.contains(&l))
}

/// Whether a message's first line (trimmed) says its media was left out of the export.
pub(crate) fn is_media_omitted(line: &str) -> bool {
    LANGS.iter().any(|lang| {
        lang.media_omitted
            .iter()
            .any(|m| m.eq_ignore_ascii_case(line))
    })
}

/// `<name> (file attached)` in any language: the file name.
pub(crate) fn file_attached(line: &str) -> Option<&str> {
    LANGS
        .iter()
        .flat_map(|l| l.file_attached.iter())
        .find_map(|s| line.strip_suffix(s))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_anchor_capture_and_accept_either_apostrophe() {
        let c = |t, s| matches(t, s);
        assert_eq!(
            c(
                "{a} hat {x} hinzugefügt",
                "Rini hat Budi und Sari hinzugefügt"
            ),
            Some(Caps {
                a: Some("Rini"),
                x: Some("Budi und Sari")
            })
        );
        assert_eq!(
            c("{a} hat {x} hinzugefügt", "Rini hat Budi hinzugefügt!"),
            None
        );
        assert_eq!(
            c("{x} joined", "Budi joined"),
            Some(Caps {
                a: None,
                x: Some("Budi")
            })
        );
        assert_eq!(c("{x} joined", " joined"), None, "a name is never empty");
        assert_eq!(
            c(
                "{x} joined using this group's invite link",
                "Budi joined using this group’s invite link"
            ),
            Some(Caps {
                a: None,
                x: Some("Budi")
            })
        );
        assert_eq!(
            c("{a} добавил{*} {x}", "Рина добавил(а) Буди"),
            Some(Caps {
                a: Some("Рина"),
                x: Some("Буди")
            })
        );
        assert!(c("{*}code{*}", "your security code changed").is_some());
        assert!(c("{*}code{*}", "no such thing").is_none());
        assert!(c("Te uniste{*}", "Te uniste").is_some());
        assert!(c("exact", "exact").is_some());
        assert!(c("exact", "exactly").is_none());
    }

    #[test]
    fn names_are_split_per_language_and_cleaned() {
        let names = |s, l| split_names(s, l).collect::<Vec<_>>();
        assert_eq!(
            names("Budi, Sari dan +62 811-2222-3333", &ID),
            ["Budi", "Sari", "+62 811-2222-3333"]
        );
        assert_eq!(names("Budi, Sari und Dewi", &DE), ["Budi", "Sari", "Dewi"]);
        assert_eq!(names("Budi'yi", &TR), ["Budi"]);
        assert_eq!(names("Budi ve Sari’yi", &TR), ["Budi", "Sari"]);
        assert_eq!(names("Budi ने", &HI), ["Budi"]);
        // `e` joins names in Portuguese, but it is not a separator in English.
        assert_eq!(names("Budi e Sari", &PT), ["Budi", "Sari"]);
        assert_eq!(names("Budi e Sari", &EN), ["Budi e Sari"]);
    }

    /// The kind of a line, shortly: `joined Budi`, `added Budi|Sari`, `left`...
    fn kind(line: &str) -> String {
        match classify_system(line) {
            System::Joined(w) => format!("joined {w}"),
            System::Added(n) => format!("added {}", n.others().collect::<Vec<_>>().join("|")),
            other => format!("{other:?}").to_lowercase(),
        }
    }

    #[test]
    fn every_language_recognises_its_system_lines() {
        #[rustfmt::skip]
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("en", &[
                ("Budi joined using this group's invite link", "joined Budi"),
                ("Rini added Budi and Sari", "added Budi|Sari"),
                ("You added Budi", "added Budi"),
                ("Rini added you", "you"),
                ("Budi left", "left"),
                ("Rini removed Budi", "removed"),
                ("Rini created group \"ARMY\"", "created"),
                ("Rini changed the subject from \"a added b\" to \"c\"", "subject"),
                ("Rini changed the group description", "description"),
                ("Rini changed this group's icon", "icon"),
                ("Your security code with Budi changed. Tap to learn more.", "security"),
                ("Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.", "encryption"),
            ]),
            ("id", &[
                ("Budi bergabung menggunakan tautan undangan grup ini", "joined Budi"),
                ("Rini menambahkan Budi, Sari dan +62 811-2222-3333", "added Budi|Sari|+62 811-2222-3333"),
                ("Rini menambahkan Anda", "you"),
                ("Budi keluar", "left"),
                ("Rini mengeluarkan Budi", "removed"),
                ("Rini membuat grup \"ARMY\"", "created"),
                ("Rini mengubah subjek dari \"a\" menjadi \"b\"", "subject"),
                ("Rini mengubah deskripsi grup", "description"),
                ("Rini mengubah ikon grup ini", "icon"),
                ("Kode keamanan Anda dengan Budi telah berubah.", "security"),
                ("Pesan dan panggilan terenkripsi secara end-to-end.", "encryption"),
            ]),
            ("de", &[
                ("Budi ist dieser Gruppe über den Einladungslink beigetreten", "joined Budi"),
                ("Budi ist über den Einladungslink dieser Gruppe beigetreten", "joined Budi"),
                ("Du hast Budi hinzugefügt", "added Budi"),
                ("Rini hat Budi und Sari hinzugefügt", "added Budi|Sari"),
                ("Rini hat dich hinzugefügt", "you"),
                ("Budi hat die Gruppe verlassen", "left"),
                ("Rini hat Budi entfernt", "removed"),
                ("Rini hat die Gruppe „ARMY“ erstellt", "created"),
                ("Rini hat den Betreff von „a“ zu „b“ geändert", "subject"),
                ("Rini hat die Gruppenbeschreibung geändert", "description"),
                ("Rini hat das Gruppenbild geändert", "icon"),
                ("Deine Sicherheitsnummer für Budi hat sich geändert.", "security"),
                ("Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.", "encryption"),
            ]),
            ("es", &[
                ("Budi se unió usando el enlace de invitación de este grupo", "joined Budi"),
                ("Rini añadió a Budi y Sari", "added Budi|Sari"),
                ("Añadiste a Budi", "added Budi"),
                ("Rini te añadió", "you"),
                ("Budi salió del grupo", "left"),
                ("Rini eliminó a Budi", "removed"),
                ("Rini creó el grupo \"ARMY\"", "created"),
                ("Rini cambió el asunto de \"a\" a \"b\"", "subject"),
                ("Rini cambió la descripción del grupo", "description"),
                ("Rini cambió el ícono de este grupo", "icon"),
                ("Tu código de seguridad con Budi cambió.", "security"),
                ("Los mensajes y las llamadas están cifrados de extremo a extremo.", "encryption"),
            ]),
            ("pt", &[
                ("Budi entrou usando o link de convite deste grupo", "joined Budi"),
                ("Rini adicionou Budi e Sari", "added Budi|Sari"),
                ("Rini adicionou você", "you"),
                ("Budi saiu", "left"),
                ("Rini removeu Budi", "removed"),
                ("Rini criou o grupo \"ARMY\"", "created"),
                ("Rini mudou o assunto de \"a\" para \"b\"", "subject"),
                ("Rini mudou a descrição do grupo", "description"),
                ("Rini mudou a imagem deste grupo", "icon"),
                ("Seu código de segurança com Budi mudou.", "security"),
                ("As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.", "encryption"),
            ]),
            ("fr", &[
                ("Budi a rejoint ce groupe via le lien d’invitation", "joined Budi"),
                ("Rini a ajouté Budi et Sari", "added Budi|Sari"),
                ("Vous avez ajouté Budi", "added Budi"),
                ("Rini vous a ajouté", "you"),
                ("Budi est parti", "left"),
                ("Rini a retiré Budi", "removed"),
                ("Rini a créé le groupe « ARMY »", "created"),
                ("Rini a modifié le sujet de « a » à « b »", "subject"),
                ("Rini a modifié la description du groupe", "description"),
                ("Rini a changé l’icône de ce groupe", "icon"),
                ("Votre code de sécurité avec Budi a changé.", "security"),
                ("Les messages et les appels sont chiffrés de bout en bout.", "encryption"),
            ]),
            ("it", &[
                ("Budi si è unito tramite il link d'invito al gruppo", "joined Budi"),
                ("Rini ha aggiunto Budi e Sari", "added Budi|Sari"),
                ("Hai aggiunto Budi", "added Budi"),
                ("Rini ti ha aggiunto", "you"),
                ("Budi è uscito", "left"),
                ("Rini ha rimosso Budi", "removed"),
                ("Rini ha creato il gruppo \"ARMY\"", "created"),
                ("Rini ha cambiato l'oggetto da \"a\" a \"b\"", "subject"),
                ("Rini ha cambiato la descrizione del gruppo", "description"),
                ("Rini ha cambiato l'immagine di questo gruppo", "icon"),
                ("Il tuo codice di sicurezza con Budi è cambiato.", "security"),
                ("I messaggi e le chiamate sono crittografati end-to-end.", "encryption"),
            ]),
            ("nl", &[
                ("Budi is lid geworden via de uitnodigingslink van deze groep", "joined Budi"),
                ("Rini heeft Budi en Sari toegevoegd", "added Budi|Sari"),
                ("Je hebt Budi toegevoegd", "added Budi"),
                ("Rini heeft je toegevoegd", "you"),
                ("Budi heeft de groep verlaten", "left"),
                ("Rini heeft Budi verwijderd", "removed"),
                ("Rini heeft groep \"ARMY\" aangemaakt", "created"),
                ("Rini heeft het onderwerp gewijzigd van \"a\" naar \"b\"", "subject"),
                ("Rini heeft de groepsbeschrijving gewijzigd", "description"),
                ("Rini heeft de groepsafbeelding verwijderd", "icon"),
                ("Je beveiligingscode met Budi is gewijzigd.", "security"),
                ("Berichten en oproepen worden end-to-end versleuteld.", "encryption"),
            ]),
            ("ms", &[
                ("Budi menyertai menggunakan pautan jemputan kumpulan ini", "joined Budi"),
                ("Rini menambah Budi dan Sari", "added Budi|Sari"),
                ("Budi telah keluar", "left"),
                ("Rini membuang Budi", "removed"),
                ("Rini mencipta kumpulan \"ARMY\"", "created"),
                ("Rini menukar subjek daripada \"a\" kepada \"b\"", "subject"),
                ("Rini menukar penerangan kumpulan", "description"),
                ("Rini menukar ikon kumpulan ini", "icon"),
                ("Kod keselamatan anda dengan Budi telah berubah.", "security"),
                ("Mesej dan panggilan disulitkan hujung ke hujung.", "encryption"),
            ]),
            ("tr", &[
                ("Budi bu grubun davet bağlantısını kullanarak katıldı", "joined Budi"),
                ("Rini, Budi kişisini ekledi", "added Budi"),
                ("Budi'yi eklediniz", "added Budi"),
                ("Rini sizi ekledi", "you"),
                ("Budi ayrıldı", "left"),
                ("Rini, Budi kişisini çıkardı", "removed"),
                ("Rini \"ARMY\" grubunu oluşturdu", "created"),
                ("Rini konuyu \"b\" olarak değiştirdi", "subject"),
                ("Rini grup açıklamasını değiştirdi", "description"),
                ("Rini bu grubun simgesini değiştirdi", "icon"),
                ("Budi ile güvenlik kodunuz değişti.", "security"),
                ("Mesajlar ve aramalar uçtan uca şifrelidir.", "encryption"),
            ]),
            ("ru", &[
                ("Буди присоединился(-ась) к группе по ссылке-приглашению", "joined Буди"),
                ("Рина добавил(а) Буди и Сари", "added Буди|Сари"),
                ("Вы добавили Буди", "added Буди"),
                ("Рина добавил(а) вас", "you"),
                ("Буди вышел(-ла)", "left"),
                ("Рина удалил(а) Буди", "removed"),
                ("Рина удалил(а) изображение этой группы", "icon"),
                ("Рина создал(а) группу «ARMY»", "created"),
                ("Рина изменил(а) тему с «a» на «b»", "subject"),
                ("Рина изменил(а) описание группы", "description"),
                ("Ваш код безопасности с Буди изменился.", "security"),
                ("Сообщения и звонки защищены сквозным шифрованием.", "encryption"),
            ]),
            ("ar", &[
                ("بودي انضم باستخدام رابط الدعوة لهذه المجموعة", "joined بودي"),
                ("انضم بودي باستخدام رابط الدعوة لهذه المجموعة", "joined بودي"),
                ("ريني أضاف بودي", "added بودي"),
                ("ريني أضافك", "you"),
                ("بودي غادر", "left"),
                ("ريني أزال بودي", "removed"),
                ("ريني أنشأ المجموعة \"ARMY\"", "created"),
                ("ريني غيّر الموضوع من \"a\" إلى \"b\"", "subject"),
                ("ريني غيّر وصف المجموعة", "description"),
                ("ريني غيّر صورة هذه المجموعة", "icon"),
                ("تغير رمز الأمان الخاص بك مع بودي.", "security"),
                ("الرسائل والمكالمات مشفرة تماماً بين الطرفين.", "encryption"),
            ]),
            ("hi", &[
                ("Budi इस ग्रुप के इनवाइट लिंक से जुड़े", "joined Budi"),
                ("Rini ने Budi को जोड़ा", "added Budi"),
                ("आपने Budi को जोड़ा", "added Budi"),
                ("Rini ने आपको जोड़ा", "you"),
                ("Budi ने ग्रुप छोड़ दिया", "left"),
                ("Rini ने Budi को हटाया", "removed"),
                ("Rini ने इस ग्रुप का आइकन हटाया", "icon"),
                ("Rini ने ग्रुप \"ARMY\" बनाया", "created"),
                ("Rini ने विषय \"a\" से बदलकर \"b\" कर दिया", "subject"),
                ("Rini ने ग्रुप का विवरण बदला", "description"),
                ("Budi के साथ आपका सुरक्षा कोड बदल गया है।", "security"),
                ("संदेश और कॉल एंड-टू-एंड एन्क्रिप्टेड हैं।", "encryption"),
            ]),
        ];
        let codes: Vec<&str> = LANGS.iter().map(|l| l.code).collect();
        for (code, lines) in cases {
            assert!(codes.contains(code), "{code} has a table");
            for (line, want) in *lines {
                assert_eq!(kind(line), *want, "{code}: {line}");
            }
        }
        assert_eq!(cases.len(), LANGS.len(), "every table is tested");
        // Plain chat is no system line in any language.
        for text in [
            "bring snacks",
            "halo kak",
            "aku keluar dulu ya, nanti balik lagi kak",
        ] {
            assert_eq!(kind(text), "unknown", "{text}");
        }
    }

    #[test]
    fn every_language_marks_deleted_and_omitted_media() {
        for lang in LANGS {
            assert!(
                !lang.deleted.is_empty() && !lang.media_omitted.is_empty(),
                "{}",
                lang.code
            );
            for d in lang.deleted {
                assert!(is_deleted(d), "{}: {d}", lang.code);
                assert!(is_deleted(&format!("{d}.")), "{}: {d}.", lang.code);
            }
            for m in lang.media_omitted {
                assert!(is_media_omitted(m), "{}: {m}", lang.code);
            }
        }
        assert!(!is_deleted("halo") && !is_media_omitted("<halo>"));
        assert_eq!(
            file_attached("undangan.apk (Datei angehängt)"),
            Some("undangan.apk")
        );
    }
}
