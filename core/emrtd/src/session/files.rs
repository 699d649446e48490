//! Reading the files under secure messaging: EF.COM decides which data groups follow, DG14
//! comes first so chip authentication upgrades the channel before personal data crosses it,
//! a file listed but absent is skipped, and progress is reported after each READ BINARY.

use super::error::SessionError;
use super::outcome::ReadProgress;
use super::{CaState, Phase, ReadEngine, ShortIds, WANTED};
use crate::lds::{EfCom, LdsFile};
use crate::reader::{FileReader, ReaderError, SelectMode};

impl ReadEngine {
    /// The next READ BINARY (or SELECT), chip authentication when it became due, or active
    /// authentication once every file is read.
    pub(super) fn next_file_command(
        &mut self,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Option<Vec<u8>>, SessionError> {
        if let Some(ca) = self.start_chip_auth(random) {
            self.phase = Phase::Ca(Box::new(ca));
            return self.next_command(random);
        }
        loop {
            let Some(&file) = self.queue.get(self.index) else {
                return self.aa_command(random);
            };
            let reader = match self.reader.take() {
                Some(reader) => reader,
                None => self.new_reader(file),
            };
            let reader = self.reader.insert(reader);
            let sm = self.sm.as_mut().ok_or(SessionError::OutOfOrder)?;
            match reader.next_command(Some(sm)) {
                Ok(Some(cmd)) => {
                    self.phase = Phase::AwaitFile;
                    return Ok(self.sent(cmd));
                }
                Ok(None) => {
                    self.file_done(file)?;
                    if matches!(self.ca, CaState::Ready(_)) {
                        return self.next_file_command(random);
                    }
                }
                Err(error) => return Err(self.file_error(file, error)),
            }
        }
    }

    /// A reader for `file` that reads it the way the card has shown it takes.
    fn new_reader(&self, file: LdsFile) -> FileReader {
        let mut options = self.options;
        if self.short_ids == ShortIds::Refused {
            options.select = SelectMode::FileId;
        }
        let reader = FileReader::new(file, options);
        if self.short_ids == ShortIds::Work {
            reader.with_short_id_proven()
        } else {
            reader
        }
    }

    /// Learns from the current file's reader whether the card reads by short EF identifier.
    fn note_short_ids(&mut self) {
        if let Some(reader) = &self.reader {
            if reader.short_id_refused() {
                self.short_ids = ShortIds::Refused;
            } else if reader.read_by_short_id() && self.short_ids == ShortIds::Untried {
                self.short_ids = ShortIds::Work;
            }
        }
    }

    /// The current file is complete: keep it and move on (EF.COM decides what follows; DG14
    /// arms chip authentication).
    fn file_done(&mut self, file: LdsFile) -> Result<(), SessionError> {
        let bytes =
            self.reader
                .take()
                .and_then(FileReader::into_bytes)
                .ok_or(SessionError::Read {
                    file,
                    error: ReaderError::UnexpectedEnd,
                })?;
        self.done_bytes += bytes.len();
        if file == LdsFile::Com {
            let com = EfCom::parse(&bytes).map_err(|error| SessionError::Lds {
                file: LdsFile::Com,
                error,
            })?;
            self.queue.extend(
                WANTED
                    .iter()
                    .copied()
                    .filter(|f| *f == LdsFile::DG1 || com.data_groups.contains(f)),
            );
            self.queue.push(LdsFile::Sod);
        }
        if file == LdsFile::DG14 {
            self.arm_chip_auth(&bytes);
        }
        self.files.insert(file, bytes);
        self.index += 1;
        Ok(())
    }

    fn file_error(&mut self, file: LdsFile, error: ReaderError) -> SessionError {
        self.phase = Phase::Done;
        match error {
            ReaderError::FileNotFound => SessionError::MissingFile(file),
            ReaderError::AccessDenied(_) => SessionError::AccessDenied {
                attempts_left: None,
            },
            ReaderError::Sm(e) => SessionError::Sm(e),
            error => SessionError::Read { file, error },
        }
    }

    /// Consumes the answer to a file command; progress when it delivered data.
    pub(super) fn handle_file_response(
        &mut self,
        raw: &[u8],
    ) -> Result<Option<ReadProgress>, SessionError> {
        let file = *self.queue.get(self.index).ok_or(SessionError::OutOfOrder)?;
        let (Some(reader), Some(sm)) = (self.reader.as_mut(), self.sm.as_mut()) else {
            return Err(SessionError::OutOfOrder);
        };
        let was = reader.progress().read;
        let result = reader.handle_response(raw, Some(sm));
        // A bare status word carries no MAC: it proves nothing about the keys of chip
        // authentication, which waits for the next protected answer.
        let bare = sm.last_answer_bare();
        self.note_short_ids();
        let after_bare = std::mem::replace(&mut self.after_bare, bare);
        if let Err(ReaderError::Sm(e)) = &result {
            self.after_bare = after_bare;
            if self.resync_after_bare(e)? {
                return Ok(None);
            }
        }
        if !bare && self.confirm_chip_auth(&result)? {
            return Ok(None);
        }
        match result {
            Ok(()) => {}
            // Listed in EF.COM but absent: passive authentication reports it as not read.
            // EF.SOD absent: passive authentication is then not possible (see `finish`).
            Err(ReaderError::FileNotFound) if file != LdsFile::DG1 => {
                self.reader = None;
                self.index += 1;
                self.phase = Phase::Files;
                return Ok(None);
            }
            Err(error) => return Err(self.file_error(file, error)),
        }
        let Some(reader) = self.reader.as_ref() else {
            return Err(SessionError::OutOfOrder);
        };
        let p = reader.progress();
        self.phase = Phase::Files;
        if p.read == was {
            return Ok(None);
        }
        let bytes_read = self.done_bytes + p.read;
        let bytes_total = self.done_bytes + p.total.unwrap_or(p.read);
        // EF.COM is alone in the queue until it is parsed: not the last file.
        let last_file =
            file != LdsFile::Com && self.index + 1 == self.queue.len() && p.total == Some(p.read);
        let estimate = if last_file {
            1.0
        } else {
            let expected = bytes_total + self.expected_bytes_after(self.index);
            // Lossy only beyond 2^24 bytes, far above any eMRTD.
            #[allow(clippy::cast_precision_loss)]
            let share = bytes_read as f32 / expected.max(1) as f32;
            share.min(0.99)
        };
        self.fraction = self.fraction.max(estimate);
        Ok(Some(ReadProgress {
            file,
            file_index: self.index,
            file_count: self.queue.len(),
            bytes_read,
            bytes_total,
            fraction: self.fraction,
        }))
    }

    /// Typical bytes of the files still to read after `index`, or of every file a CCCD has
    /// while EF.COM has not said which there are (for the progress estimate only).
    fn expected_bytes_after(&self, index: usize) -> usize {
        fn typical(file: LdsFile) -> usize {
            match file {
                LdsFile::DG2 => 16_000,
                LdsFile::Sod => 2_000,
                LdsFile::DG14 | LdsFile::DG15 | LdsFile::DG13 => 600,
                _ => 200,
            }
        }
        if self.queue.len() == 1 {
            return WANTED.iter().copied().map(typical).sum::<usize>() + typical(LdsFile::Sod);
        }
        self.queue
            .iter()
            .skip(index + 1)
            .copied()
            .map(typical)
            .sum()
    }
}
