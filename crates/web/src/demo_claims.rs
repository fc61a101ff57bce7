//! The demo school's current term: ledger activities (one filed late), attendance that
//! credits teachers directly, and claims in every state with evidence files generated
//! here, including one certificate uploaded by two colleagues so that both claims carry
//! the flag. Claims wait at the office, unit and school levels; others were accredited,
//! returned, rejected at the office, or approved below and overturned by the school.
//! Every decision goes through the store's transition function. Everything is fixed
//! apart from the dates, which follow today.

use std::io::Cursor;

use anyhow::{Context, bail};
use bytes::Bytes;
use jiff::civil::Date;
use xueshi_core::checks::CheckConfig;
use xueshi_core::claim::DecisionInput;
use xueshi_core::date::school_time_zone;
use xueshi_core::reason::codes;
use xueshi_core::{ClaimAction, EvidenceKind, Hours, ReviewLevel};
use xueshi_store::activities::{self, NewActivity, TrainingMode};
use xueshi_store::audit::Actor;
use xueshi_store::blobs::BlobStore;
use xueshi_store::claims::{self, ClaimDraft};
use xueshi_store::people::{self, Person};
use xueshi_store::terms::Term;
use xueshi_store::{Db, categories, evidence, units};

use crate::claims::evidence::type_name;
use crate::claims::service::{Checked, check_and_submit};

/// Days after an activity's end within which the demo files it on time.
const LATE_AFTER_DAYS: i64 = 7;

/// Teachers of 音乐学院's 声乐教研室 and 器乐教研室 (seat 0 directs the office), the unit
/// reviewer and a center administrator, as the demo school numbers them.
const VOCAL_DIRECTOR: &str = "2001100";
const TEACHER_LI: &str = "2001101";
const TEACHER_WANG: &str = "2001102";
const TEACHER_ZHANG: &str = "2001103";
const INSTRUMENT_DIRECTOR: &str = "2001200";
const TEACHER_LIU: &str = "2001201";
const TEACHER_CHEN: &str = "2001202";
const MUSIC_REVIEWER: &str = "2001000";
const CENTER_ADMIN: &str = "1000001";

/// Fills the ledger and the claims of `term`, dated around `today`.
pub async fn fill(
    db: &Db,
    blobs: &BlobStore,
    checks: &CheckConfig,
    term: &Term,
    today: Date,
) -> anyhow::Result<()> {
    let demo = Demo {
        db,
        blobs,
        checks,
        term,
        today,
    };
    let ledger = demo.file_ledger().await.context("fill the demo ledger")?;
    demo.make_claims(&ledger)
        .await
        .context("fill the demo claims")?;
    tracing::info!("demo ledger and claims created");
    Ok(())
}

struct Demo<'a> {
    db: &'a Db,
    blobs: &'a BlobStore,
    checks: &'a CheckConfig,
    term: &'a Term,
    today: Date,
}

/// The ids of the activities that claims point at.
struct Ledger {
    unit_training: String,
    late_unit_activity: String,
}

/// One demo claim before it is created.
struct DemoClaim<'a> {
    teacher: &'a str,
    category: u8,
    topic: &'a str,
    organizer: &'a str,
    /// Days before today of the first and last day.
    days_ago: (i64, i64),
    mode: TrainingMode,
    hours: i64,
    notes: String,
    activity_id: Option<&'a str>,
}

impl Demo<'_> {
    fn day(&self, days_ago: i64) -> anyhow::Result<Date> {
        Ok(self.today.checked_sub(jiff::Span::new().days(days_ago))?)
    }

    /// Milliseconds at ten in the morning, school time, `days_ago` days before today.
    fn morning_ms(&self, days_ago: i64) -> anyhow::Result<i64> {
        let zoned = self
            .day(days_ago)?
            .at(10, 0, 0, 0)
            .to_zoned_datetime(school_time_zone())?;
        Ok(zoned.timestamp().as_millisecond())
    }

    async fn person(&self, staff_id: &str) -> anyhow::Result<Person> {
        let staff_id = xueshi_core::StaffId::parse(staff_id)?;
        people::find_by_staff_id(&mut *self.db.conn().await?, &staff_id)
            .await?
            .with_context(|| format!("demo person {staff_id} is missing"))
    }

    async fn category_id(&self, code: u8) -> anyhow::Result<String> {
        let category = categories::find_by_code(&mut *self.db.conn().await?, self.term.code, code)
            .await?
            .with_context(|| format!("category {code} of the demo term is missing"))?;
        Ok(category.id)
    }

    async fn file_ledger(&self) -> anyhow::Result<Ledger> {
        let mut conn = self.db.conn().await?;
        let music = units::find_by_key(&mut conn, "音乐学院")
            .await?
            .context("demo unit 音乐学院 is missing")?
            .id;
        let politics = units::find_by_key(&mut conn, "思政部")
            .await?
            .context("demo unit 思政部 is missing")?
            .id;
        drop(conn);

        struct Filing<'a> {
            category: u8,
            title: &'a str,
            unit: Option<&'a str>,
            days_ago: (i64, i64),
            filed_days_ago: i64,
            place: &'a str,
            mode: TrainingMode,
            hours: i64,
            speaker: &'a str,
        }
        let filings = [
            Filing {
                category: 1,
                title: "新入职教师教学能力提升专题培训",
                unit: None,
                days_ago: (40, 39),
                filed_days_ago: 38,
                place: "图书馆报告厅",
                mode: TrainingMode::Offline,
                hours: 12,
                speaker: "教师发展中心特聘专家",
            },
            Filing {
                category: 2,
                title: "教学沙龙：如何设计课堂互动",
                unit: None,
                days_ago: (30, 30),
                filed_days_ago: 29,
                place: "教师发展中心研讨室",
                mode: TrainingMode::Offline,
                hours: 3,
                speaker: "教学名师工作室",
            },
            Filing {
                category: 3,
                title: "音乐学院智慧教学平台应用培训",
                unit: Some(&music),
                days_ago: (21, 21),
                filed_days_ago: 20,
                place: "音乐学院多媒体教室",
                mode: TrainingMode::Offline,
                hours: 6,
                speaker: "现代教育技术中心",
            },
            Filing {
                category: 4,
                title: "声乐教研室集体备课与听课评课活动",
                unit: Some(&music),
                days_ago: (26, 26),
                // Filed 14 days after it ended, so the ledger marks it late.
                filed_days_ago: 12,
                place: "音乐楼 302",
                mode: TrainingMode::Offline,
                hours: 4,
                speaker: "声乐教研室",
            },
            Filing {
                category: 4,
                title: "思政部课程思政教学研讨会",
                unit: Some(&politics),
                days_ago: (15, 15),
                filed_days_ago: 15,
                place: "思政部会议室",
                mode: TrainingMode::Online,
                hours: 3,
                speaker: "思政部",
            },
        ];
        let filer = self.person(CENTER_ADMIN).await?;
        let mut ids = Vec::new();
        let mut tx = self.db.begin_write().await?;
        for filing in &filings {
            let activity = NewActivity {
                term: self.term.code,
                category_id: self.category_id(filing.category).await?,
                title: filing.title.to_owned(),
                unit_id: filing.unit.map(str::to_owned),
                start_date: self.day(filing.days_ago.0)?,
                end_date: self.day(filing.days_ago.1)?,
                place: filing.place.to_owned(),
                mode: filing.mode,
                hours: Hours::from_whole(filing.hours),
                speaker: filing.speaker.to_owned(),
                description: format!("{}，面向全校（院）教师。", filing.title),
            };
            let filed_at = self.morning_ms(filing.filed_days_ago)?;
            let id = activities::file(
                &mut tx,
                &activity,
                Some(&filer.id),
                filed_at,
                LATE_AFTER_DAYS,
            )
            .await?;
            ids.push(id);
        }
        // Attendance of the center's training and salon credits these teachers directly.
        let mut credited = Vec::new();
        for staff_id in [TEACHER_LI, TEACHER_WANG, TEACHER_ZHANG, TEACHER_LIU] {
            credited.push(self.person(staff_id).await?.id);
        }
        activities::add_attendance(&mut tx, &ids[0], &credited, Some(&filer.id)).await?;
        activities::add_attendance(&mut tx, &ids[1], &credited[..2], Some(&filer.id)).await?;
        xueshi_store::commit(tx).await?;
        Ok(Ledger {
            unit_training: ids[2].clone(),
            late_unit_activity: ids[3].clone(),
        })
    }

    async fn make_claims(&self, ledger: &Ledger) -> anyhow::Result<()> {
        // A draft with its certificate, ready to submit.
        let draft = self
            .create(DemoClaim {
                teacher: TEACHER_LI,
                category: 5,
                topic: "高校教师数字化教学能力提升研修班",
                organizer: "教育部教育管理信息中心",
                days_ago: (6, 5),
                mode: TrainingMode::Online,
                hours: 12,
                notes: String::new(),
                activity_id: None,
            })
            .await?;
        self.attach(
            &draft,
            TEACHER_LI,
            certificate_png(1),
            EvidenceKind::Certificate,
            "数字化教学研修班结业证书.png",
        )
        .await?;

        // A draft without evidence: its next step is the upload.
        self.create(DemoClaim {
            teacher: TEACHER_WANG,
            category: 6,
            topic: "人工智能与音乐创作学术讲座",
            organizer: "音乐学院",
            days_ago: (3, 3),
            mode: TrainingMode::Offline,
            hours: 2,
            notes: String::new(),
            activity_id: None,
        })
        .await?;

        // Two colleagues upload the same certificate: both claims are flagged.
        let shared_certificate = certificate_png(7);
        let first = self
            .create(DemoClaim {
                teacher: TEACHER_LI,
                category: 5,
                topic: "全国高校课程思政教学设计专题培训",
                organizer: "全国高校教师网络培训中心",
                days_ago: (20, 19),
                mode: TrainingMode::Online,
                hours: 16,
                notes: String::new(),
                activity_id: None,
            })
            .await?;
        self.attach(
            &first,
            TEACHER_LI,
            shared_certificate.clone(),
            EvidenceKind::Certificate,
            "课程思政培训证书.png",
        )
        .await?;
        self.attach(
            &first,
            TEACHER_LI,
            screenshot_png(2),
            EvidenceKind::Screenshot,
            "学习进度截图.png",
        )
        .await?;
        self.submit(&first, TEACHER_LI).await?;
        let second = self
            .create(DemoClaim {
                teacher: TEACHER_WANG,
                category: 5,
                topic: "高校教师课程思政能力提升网络培训",
                organizer: "全国高校教师网络培训中心",
                days_ago: (20, 19),
                mode: TrainingMode::Online,
                hours: 16,
                notes: String::new(),
                activity_id: None,
            })
            .await?;
        self.attach(
            &second,
            TEACHER_WANG,
            shared_certificate,
            EvidenceKind::Certificate,
            "证书.png",
        )
        .await?;
        self.submit(&second, TEACHER_WANG).await?;

        // Pending at the unit: the office director has approved.
        let at_unit = self
            .create(DemoClaim {
                teacher: TEACHER_ZHANG,
                category: 4,
                topic: "声乐教研室集体备课与听课评课活动",
                organizer: "音乐学院",
                days_ago: (26, 26),
                mode: TrainingMode::Offline,
                hours: 4,
                notes: session_notes(&[
                    "集体备课：声乐基础课的教学目标",
                    "听课：青年教师示范课",
                    "评课：课堂互动与示范演唱",
                ]),
                activity_id: Some(&ledger.late_unit_activity),
            })
            .await?;
        self.attach(
            &at_unit,
            TEACHER_ZHANG,
            photo_jpeg(3),
            EvidenceKind::Photo,
            "听课现场.jpg",
        )
        .await?;
        self.submit(&at_unit, TEACHER_ZHANG).await?;
        self.approve(&at_unit, VOCAL_DIRECTOR, ReviewLevel::Office, 4)
            .await?;

        // Pending at school: office and unit have approved.
        let at_school = self
            .create(DemoClaim {
                teacher: TEACHER_ZHANG,
                category: 3,
                topic: "音乐学院智慧教学平台应用培训",
                organizer: "音乐学院",
                days_ago: (21, 21),
                mode: TrainingMode::Offline,
                hours: 6,
                notes: String::new(),
                activity_id: Some(&ledger.unit_training),
            })
            .await?;
        self.attach(
            &at_school,
            TEACHER_ZHANG,
            sign_in_png(4),
            EvidenceKind::SignIn,
            "签到表.png",
        )
        .await?;
        self.submit(&at_school, TEACHER_ZHANG).await?;
        self.approve(&at_school, VOCAL_DIRECTOR, ReviewLevel::Office, 6)
            .await?;
        self.approve(&at_school, MUSIC_REVIEWER, ReviewLevel::Unit, 6)
            .await?;

        // Returned by the office director for a sign-in sheet.
        let returned = self
            .create(DemoClaim {
                teacher: TEACHER_LIU,
                category: 6,
                topic: "钢琴教学法国际学术论坛",
                organizer: "音乐学院",
                days_ago: (12, 12),
                mode: TrainingMode::Offline,
                hours: 6,
                notes: session_notes(&[
                    "主旨报告：钢琴启蒙教学的新方法",
                    "分论坛：高校钢琴集体课",
                    "圆桌讨论：演奏与教学的关系",
                ]),
                activity_id: None,
            })
            .await?;
        self.attach(
            &returned,
            TEACHER_LIU,
            photo_jpeg(5),
            EvidenceKind::Photo,
            "论坛现场照片.jpg",
        )
        .await?;
        self.submit(&returned, TEACHER_LIU).await?;
        self.decide(
            &returned,
            INSTRUMENT_DIRECTOR,
            ReviewLevel::Office,
            DecisionInput::Return {
                comment: "请补充论坛的签到表或参会证明，并核对学时：论坛当天只有半天报告。"
                    .to_owned(),
            },
        )
        .await?;

        // Accredited through all three levels, with fewer hours than claimed.
        let accredited = self
            .create(DemoClaim {
                teacher: TEACHER_LIU,
                category: 5,
                topic: "高校音乐教师教学能力提升高级研修班",
                organizer: "中国音乐家协会",
                days_ago: (35, 33),
                mode: TrainingMode::Offline,
                hours: 20,
                notes: String::new(),
                activity_id: None,
            })
            .await?;
        self.attach(
            &accredited,
            TEACHER_LIU,
            tiny_pdf(),
            EvidenceKind::Certificate,
            "高级研修班结业证书.pdf",
        )
        .await?;
        self.submit(&accredited, TEACHER_LIU).await?;
        self.approve(&accredited, INSTRUMENT_DIRECTOR, ReviewLevel::Office, 20)
            .await?;
        self.approve(&accredited, MUSIC_REVIEWER, ReviewLevel::Unit, 18)
            .await?;
        self.approve(&accredited, CENTER_ADMIN, ReviewLevel::School, 18)
            .await?;

        // Rejected by the office director: a meeting is not an academic activity.
        let rejected = self
            .create(DemoClaim {
                teacher: TEACHER_CHEN,
                category: 6,
                topic: "器乐教研室学期工作会议",
                organizer: "器乐教研室",
                days_ago: (9, 9),
                mode: TrainingMode::Offline,
                hours: 2,
                notes: session_notes(&["总结本学期教学工作", "布置期末考试安排", "讨论下学期排课"]),
                activity_id: None,
            })
            .await?;
        self.submit(&rejected, TEACHER_CHEN).await?;
        self.decide(
            &rejected,
            INSTRUMENT_DIRECTOR,
            ReviewLevel::Office,
            DecisionInput::Reject {
                reason_code: codes::OUT_OF_SCOPE.to_owned(),
                comment: "教研室工作会议不属于学术活动。".to_owned(),
            },
        )
        .await?;

        self.make_overturned_and_unflagged().await
    }

    /// Adds a claim the school overturned after both lower levels approved it, and a
    /// claim without flags waiting at the office, which batch approval can take.
    async fn make_overturned_and_unflagged(&self) -> anyhow::Result<()> {
        let overturned = self
            .create(DemoClaim {
                teacher: TEACHER_CHEN,
                category: 6,
                topic: "新年音乐会观摩",
                organizer: "音乐学院",
                days_ago: (16, 16),
                mode: TrainingMode::Offline,
                hours: 3,
                notes: session_notes(&[
                    "观摩交响乐团新年音乐会",
                    "记录曲目与演奏形式",
                    "课后与学生交流观后感",
                ]),
                activity_id: None,
            })
            .await?;
        self.attach(
            &overturned,
            TEACHER_CHEN,
            photo_jpeg(9),
            EvidenceKind::Photo,
            "音乐会现场.jpg",
        )
        .await?;
        self.submit(&overturned, TEACHER_CHEN).await?;
        self.approve(&overturned, INSTRUMENT_DIRECTOR, ReviewLevel::Office, 3)
            .await?;
        self.approve(&overturned, MUSIC_REVIEWER, ReviewLevel::Unit, 3)
            .await?;
        self.decide(
            &overturned,
            CENTER_ADMIN,
            ReviewLevel::School,
            DecisionInput::Reject {
                reason_code: codes::OUT_OF_SCOPE.to_owned(),
                comment: "观摩演出不属于学术活动，教研室和院（部）审核时应未通过。".to_owned(),
            },
        )
        .await?;

        let unflagged = self
            .create(DemoClaim {
                teacher: TEACHER_CHEN,
                category: 5,
                topic: "高校钢琴伴奏艺术专题网络培训",
                organizer: "全国高校教师网络培训中心",
                days_ago: (8, 7),
                mode: TrainingMode::Online,
                hours: 8,
                notes: String::new(),
                activity_id: None,
            })
            .await?;
        self.attach(
            &unflagged,
            TEACHER_CHEN,
            certificate_png(11),
            EvidenceKind::Certificate,
            "钢琴伴奏培训证书.png",
        )
        .await?;
        self.submit(&unflagged, TEACHER_CHEN).await
    }

    async fn create(&self, claim: DemoClaim<'_>) -> anyhow::Result<String> {
        let teacher = self.person(claim.teacher).await?;
        let unit_id = teacher
            .unit_id
            .clone()
            .context("demo teacher without a unit")?;
        let draft = ClaimDraft {
            term: self.term.code,
            category_id: self.category_id(claim.category).await?,
            topic: claim.topic.to_owned(),
            organizer: claim.organizer.to_owned(),
            start_date: self.day(claim.days_ago.0)?,
            end_date: self.day(claim.days_ago.1)?,
            mode: claim.mode,
            claimed_hours: Hours::from_whole(claim.hours),
            notes: claim.notes,
            certificate_date: None,
            activity_id: claim.activity_id.map(str::to_owned),
        };
        let (id, _) = claims::create_draft(
            &mut *self.db.conn().await?,
            &teacher.id,
            &unit_id,
            teacher.office_id.as_deref(),
            &draft,
            None,
        )
        .await?;
        Ok(id)
    }

    /// Stores a generated file and attaches it to a claim.
    async fn attach(
        &self,
        claim_id: &str,
        teacher: &str,
        bytes: Vec<u8>,
        kind: EvidenceKind,
        file_name: &str,
    ) -> anyhow::Result<()> {
        let file_type = xueshi_media::sniff(&bytes).context("demo file of unknown type")?;
        let phash = if file_type.is_decodable() {
            Some(xueshi_media::perceptual_hash(&bytes)?.to_u64())
        } else {
            None
        };

        let chunks =
            futures::stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(bytes)) });
        let stored = self.blobs.put_stream(chunks, u64::MAX).await?;

        let uploader = self.person(teacher).await?;
        let mut tx = self.db.begin_write().await?;
        evidence::record_blob(
            &mut tx,
            &stored.sha256,
            stored.size,
            type_name(file_type),
            phash,
            None,
        )
        .await?;
        evidence::add(
            &mut tx,
            claim_id,
            &stored.sha256,
            kind,
            file_name,
            &uploader.id,
        )
        .await?;
        xueshi_store::commit(tx).await?;
        Ok(())
    }

    /// Submits a claim through the checks, as the teacher's submit button does.
    async fn submit(&self, claim_id: &str, teacher: &str) -> anyhow::Result<()> {
        let actor = Actor::person(&self.person(teacher).await?.id, None);
        let mut tx = self.db.begin_write().await?;
        let claim = claims::get(&mut tx, claim_id).await?;
        let checked = check_and_submit(&mut tx, &claim, &actor, self.checks)
            .await
            .map_err(|error| anyhow::anyhow!("submit a demo claim: {error}"))?;
        match checked {
            Checked::Submitted { .. } => xueshi_store::commit(tx).await?,
            Checked::Blocked(findings) => {
                let codes: Vec<&str> = findings.iter().map(|finding| finding.code).collect();
                bail!("a demo claim failed the checks: {codes:?}");
            }
            Checked::Raced => bail!("a demo claim changed while it was submitted"),
        }
        Ok(())
    }

    async fn approve(
        &self,
        claim_id: &str,
        reviewer: &str,
        level: ReviewLevel,
        hours: i64,
    ) -> anyhow::Result<()> {
        let decision = DecisionInput::Approve {
            accredited_hours: Hours::from_whole(hours),
            comment: String::new(),
        };
        self.decide(claim_id, reviewer, level, decision).await
    }

    async fn decide(
        &self,
        claim_id: &str,
        reviewer: &str,
        level: ReviewLevel,
        decision: DecisionInput,
    ) -> anyhow::Result<()> {
        let actor = Actor::person(&self.person(reviewer).await?.id, None);
        let mut tx = self.db.begin_write().await?;
        let claim = claims::get(&mut tx, claim_id).await?;
        let action: ClaimAction = decision.action(level);
        claims::transition(
            &mut tx,
            claim_id,
            claim.version,
            action,
            &actor,
            Some(&decision),
        )
        .await
        .map_err(|failure| anyhow::anyhow!("decide a demo claim: {failure}"))?;
        xueshi_store::commit(tx).await?;
        Ok(())
    }
}

/// Training notes of a few sessions, long enough to count as the notes evidence.
pub fn session_notes(sessions: &[&str]) -> String {
    sessions
        .iter()
        .enumerate()
        .map(|(index, session)| {
            format!(
                "第{}次：{session}。主讲老师结合实际课例讲解了设计思路和常见问题，我记录了要点，课后对照自己的课程整理了改进方案，并与同事交流了在下学期教学中的具体做法。",
                index + 1
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn encode(image: image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writes to a Vec fail only when memory runs out, and the encoders accept every RGB
    // image, so the result is not checked.
    let _ = image.write_to(&mut Cursor::new(&mut bytes), format);
    bytes
}

/// Draws a PNG certificate: a red frame and lines of "text" that `seed` shifts, so
/// different seeds give different files and pictures.
pub fn certificate_png(seed: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(240, 170, |x, y| {
        let frame = x < 6 || y < 6 || x > 233 || y > 163;
        let line = (y / 18 + seed).is_multiple_of(3) && x > 30 && x < 210;
        if frame {
            image::Rgb([180, 30, 30])
        } else if line {
            image::Rgb([40, 40, (seed * 40 % 255) as u8])
        } else {
            image::Rgb([250, 245, 230])
        }
    });
    encode(image, image::ImageFormat::Png)
}

/// Draws a PNG screenshot of a learning platform: a title bar and a progress bar.
pub fn screenshot_png(seed: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(360, 200, |x, y| {
        if y < 24 {
            image::Rgb([31, 95, 168])
        } else if (90..110).contains(&y) && x > 20 && x < 20 + 300 * (seed % 4 + 1) / 4 {
            image::Rgb([30, 122, 70])
        } else {
            image::Rgb([244, 246, 249])
        }
    });
    encode(image, image::ImageFormat::Png)
}

/// Draws a PNG sign-in sheet: a grid of rows.
pub fn sign_in_png(seed: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(200, 280, |x, y| {
        if (y + seed).is_multiple_of(20) || x.is_multiple_of(66) {
            image::Rgb([60, 60, 60])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    encode(image, image::ImageFormat::Png)
}

/// Draws a JPEG photo of a session: smooth colors that `seed` shifts.
pub fn photo_jpeg(seed: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(320, 240, |x, y| {
        let value = ((x * 7 + y * 13 + seed * 31) % 256) as u8;
        image::Rgb([value, value / 2, 255 - value])
    });
    encode(image, image::ImageFormat::Jpeg)
}

/// Writes a one-page PDF with a valid cross-reference table.
pub fn tiny_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;
    use xueshi_core::CategoryRules;
    use xueshi_media::FileType;

    #[test]
    fn generated_files_are_recognized() {
        assert_eq!(
            xueshi_media::sniff(&certificate_png(1)),
            Some(FileType::Png)
        );
        assert_eq!(xueshi_media::sniff(&screenshot_png(1)), Some(FileType::Png));
        assert_eq!(xueshi_media::sniff(&sign_in_png(1)), Some(FileType::Png));
        assert_eq!(xueshi_media::sniff(&photo_jpeg(1)), Some(FileType::Jpeg));
        assert_eq!(xueshi_media::sniff(&tiny_pdf()), Some(FileType::Pdf));
        assert_ne!(certificate_png(1), certificate_png(2));
    }

    #[test]
    fn session_notes_count_as_notes() {
        let rules: CategoryRules = xueshi_core::category::default_categories()[5].rules.clone();
        assert!(rules.notes_text_suffices(&session_notes(&["一", "二", "三"])));
    }
}
