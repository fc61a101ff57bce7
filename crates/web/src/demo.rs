//! The demo school that `xueshi serve --demo` puts into an empty database: the ten
//! teaching units of the real term, two non-teaching units, offices, teachers and
//! reviewers of every level.

use xueshi_core::unit::OrgName;
use xueshi_core::{Hours, Role, RoleKind, StaffId, TermCode, UnitKind};
use xueshi_store::people::{self, PersonFields};
use xueshi_store::terms::{self, Term};
use xueshi_store::{Conn, Db, units};

use crate::auth::password;

/// Environment variable that sets the demo accounts' password (for scripted trials);
/// without it a random password is generated and printed once.
pub const DEMO_PASSWORD_ENV: &str = "XUESHI_DEMO_PASSWORD";

/// Teaching units with their offices, in the order of the real notice's table.
const TEACHING_UNITS: [(&str, [&str; 2]); 10] = [
    ("音乐学院", ["声乐教研室", "器乐教研室"]),
    (
        "思政部",
        ["马克思主义基本原理教研室", "思想道德与法治教研室"],
    ),
    ("管理学院", ["工商管理教研室", "会计学教研室"]),
    ("建工学院", ["土木工程教研室", "工程造价教研室"]),
    ("基础教学部", ["大学数学教研室", "大学英语教研室"]),
    ("文化传媒学院", ["新闻传播教研室", "汉语言文学教研室"]),
    ("动力与电气工程学院", ["电气工程教研室", "能源动力教研室"]),
    ("美术学院", ["美术学教研室", "视觉传达设计教研室"]),
    ("财经学院", ["金融学教研室", "经济学教研室"]),
    ("信息工程学院", ["计算机科学教研室", "软件工程教研室"]),
];

const OTHER_UNITS: [&str; 2] = ["教务处", "教师发展中心"];

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN_NAMES: [&str; 24] = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "晓燕",
];
const TITLES: [&str; 4] = ["教授", "副教授", "讲师", "助教"];

/// Returns the term a date falls in: September to January is the first term of the school year
/// that starts that September, February to August the second.
pub fn term_of(date: jiff::civil::Date) -> TermCode {
    let (first_year, number) = match date.month() {
        9..=12 => (date.year(), 1),
        1 => (date.year() - 1, 1),
        _ => (date.year() - 1, 2),
    };
    TermCode::new(first_year, number).expect("demo dates lie between 1990 and 2200")
}

/// Builds the demo's current term: the term of `today`, with its submission window open from
/// the term's first day to two weeks before its end, review due at its end, 24 hours
/// required.
pub fn current_term(today: jiff::civil::Date) -> Term {
    let code = term_of(today);
    let year = code.first_year();
    let date = |y: i16, m: i8, d: i8| {
        jiff::civil::Date::new(y, m, d).expect("fixed calendar dates are valid")
    };
    let (start, end) = if code.number() == 1 {
        (date(year, 9, 1), date(year + 1, 1, 31))
    } else {
        (date(year + 1, 2, 1), date(year + 1, 8, 31))
    };
    let window_end = end.checked_sub(jiff::Span::new().days(14)).unwrap_or(end);
    Term {
        code,
        window_start: start,
        window_end,
        review_deadline: end,
        required_hours: Hours::from_whole(24),
    }
}

/// One demo account to print.
pub struct DemoAccount {
    pub staff_id: String,
    pub name: String,
    pub role: String,
}

/// The demo accounts and their shared password.
pub struct DemoAccounts {
    pub password: String,
    pub accounts: Vec<DemoAccount>,
    pub people: usize,
}

impl DemoAccounts {
    /// Prints the accounts on standard output: the password is shown this once.
    pub fn print(&self) {
        println!();
        println!(
            "已填入演示学校：12 个单位、{} 名教职工。演示账户（密码均为 {}）：",
            self.people, self.password
        );
        for account in &self.accounts {
            println!(
                "  {:<10} {:<6} {}",
                account.staff_id, account.name, account.role
            );
        }
        println!("其余教职工也可用同一密码登录；演示账户登录后无须修改密码。当前学期已开放申报。");
        println!();
    }
}

/// Creates demo people who all share one password hash, and counts them.
struct Seeder {
    hash: String,
    count: usize,
}

impl Seeder {
    /// Creates one person; returns their id.
    async fn add(
        &mut self,
        conn: &mut Conn,
        staff_id: &str,
        name: &str,
        unit_id: &str,
        office_id: Option<&str>,
        title: &str,
    ) -> anyhow::Result<String> {
        let staff_id = StaffId::parse(staff_id)?;
        let fields = PersonFields {
            name: name.to_owned(),
            unit_id: Some(unit_id.to_owned()),
            office_id: office_id.map(str::to_owned),
            title: title.to_owned(),
        };
        let id = people::create(conn, &staff_id, &fields).await?;
        people::set_password_hash(conn, &id, &self.hash, false).await?;
        self.count += 1;
        Ok(id)
    }
}

fn demo_name(index: usize) -> String {
    let surname = SURNAMES[index % SURNAMES.len()];
    let given = GIVEN_NAMES[(index / SURNAMES.len() + index * 7) % GIVEN_NAMES.len()];
    format!("{surname}{given}")
}

/// Fills an empty database with the demo school, its ledger and its claims, storing the
/// evidence files in the evidence folder of `config`. Returns `None`, changing nothing,
/// when the database already contains units or more than the first administrator.
pub async fn fill(db: &Db, config: &crate::Config) -> anyhow::Result<Option<DemoAccounts>> {
    let mut conn = db.conn().await?;
    if !units::list(&mut conn).await?.is_empty() || people::count(&mut conn).await? > 1 {
        return Ok(None);
    }
    drop(conn);
    let password = std::env::var(DEMO_PASSWORD_ENV).unwrap_or_else(|_| password::one_time());
    let mut seeder = Seeder {
        hash: password::hash(password.clone()).await?,
        count: 0,
    };
    let mut accounts = Vec::new();
    let mut tx = db.begin_write().await?;

    let registry = units::create(
        &mut tx,
        &OrgName::parse("单位", OTHER_UNITS[0])?,
        UnitKind::Other,
    )
    .await?;
    let id = seeder
        .add(&mut tx, "1100001", "周文华", &registry, None, "讲师")
        .await?;
    people::grant(&mut tx, &id, &Role::unscoped(RoleKind::Teacher)).await?;
    accounts.push(DemoAccount {
        staff_id: "1100001".into(),
        name: "周文华".into(),
        role: "教务处教师（其他单位）".into(),
    });

    let center = units::create(
        &mut tx,
        &OrgName::parse("单位", OTHER_UNITS[1])?,
        UnitKind::Other,
    )
    .await?;
    for (staff_id, name) in [("1000001", "陈晓燕"), ("1000002", "刘建国")] {
        let id = seeder
            .add(&mut tx, staff_id, name, &center, None, "副研究员")
            .await?;
        people::grant(&mut tx, &id, &Role::unscoped(RoleKind::CenterAdmin)).await?;
        accounts.push(DemoAccount {
            staff_id: staff_id.into(),
            name: name.into(),
            role: "教师发展中心管理员（校级审核）".into(),
        });
    }

    let mut person_index = 0usize;
    for (unit_index, (unit_name, offices)) in TEACHING_UNITS.iter().enumerate() {
        let unit_id = units::create(
            &mut tx,
            &OrgName::parse("单位", unit_name)?,
            UnitKind::Teaching,
        )
        .await?;
        let unit_number = unit_index + 1;
        let reviewer_staff_id = format!("20{unit_number:02}000");
        let reviewer_name = demo_name(person_index);
        person_index += 1;
        let id = seeder
            .add(
                &mut tx,
                &reviewer_staff_id,
                &reviewer_name,
                &unit_id,
                None,
                "教授",
            )
            .await?;
        people::grant(
            &mut tx,
            &id,
            &Role {
                kind: RoleKind::UnitReviewer,
                scope_id: Some(unit_id.clone()),
            },
        )
        .await?;
        people::grant(&mut tx, &id, &Role::unscoped(RoleKind::Teacher)).await?;
        if unit_index < 2 {
            accounts.push(DemoAccount {
                staff_id: reviewer_staff_id,
                name: reviewer_name,
                role: format!("{unit_name}审核人"),
            });
        }

        for (office_index, office_name) in offices.iter().enumerate() {
            let office_id =
                units::create_office(&mut tx, &unit_id, &OrgName::parse("教研室", office_name)?)
                    .await?;
            for seat in 0..4 {
                let staff_id = format!("20{unit_number:02}{}{seat:02}", office_index + 1);
                let name = demo_name(person_index);
                let title = TITLES[(person_index + seat) % TITLES.len()];
                person_index += 1;
                let id = seeder
                    .add(&mut tx, &staff_id, &name, &unit_id, Some(&office_id), title)
                    .await?;
                people::grant(&mut tx, &id, &Role::unscoped(RoleKind::Teacher)).await?;
                let first_office = unit_index == 0 && office_index == 0;
                if seat == 0 {
                    people::grant(
                        &mut tx,
                        &id,
                        &Role {
                            kind: RoleKind::OfficeDirector,
                            scope_id: Some(office_id.clone()),
                        },
                    )
                    .await?;
                    if first_office {
                        accounts.push(DemoAccount {
                            staff_id,
                            name,
                            role: format!("{office_name}主任（兼教师）"),
                        });
                    }
                } else if first_office && seat <= 2 {
                    accounts.push(DemoAccount {
                        staff_id,
                        name,
                        role: format!("{unit_name}{office_name}教师"),
                    });
                }
            }
        }
    }
    let today = xueshi_core::date::school_date(jiff::Timestamp::now());
    let term = current_term(today);
    terms::create(&mut tx, &term).await?;
    crate::demo_history::fill_past_term(&mut tx).await?;
    xueshi_store::commit(tx).await?;
    let blobs = xueshi_store::blobs::BlobStore::local(&config.evidence_dir())?;
    crate::demo_claims::fill(db, &blobs, &config.checks, &term, today).await?;
    tracing::info!(people = seeder.count, "demo school created");
    Ok(Some(DemoAccounts {
        password,
        accounts,
        people: seeder.count,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn terms_follow_the_school_year() {
        assert_eq!(term_of(date(2026, 12, 4)).to_string(), "2026-2027-1");
        assert_eq!(term_of(date(2027, 1, 20)).to_string(), "2026-2027-1");
        assert_eq!(term_of(date(2027, 3, 1)).to_string(), "2026-2027-2");
        assert_eq!(term_of(date(2026, 8, 31)).to_string(), "2025-2026-2");
    }

    #[test]
    fn current_term_window_contains_today_in_term_time() {
        let today = date(2026, 12, 4);
        let term = current_term(today);
        assert!(term.window_start <= today);
        assert!(today <= term.window_end);
        assert!(term.window_end < term.review_deadline);
    }
}
