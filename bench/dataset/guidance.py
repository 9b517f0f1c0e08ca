"""Guidance: the themes, the future slots and their bookings."""

from .scale import Scale
from .sql import execute, next_id, sync_sequence


def themes() -> int:
    return execute(
        """
        INSERT INTO guidance_theme (code, title, description, duration_minutes, offers_online, offers_onsite,
                                    is_active, position)
        SELECT 'bench-theme-' || n, '主题 ' || n, '', 60, true, true, true, n FROM generate_series(1, 13) n
        ON CONFLICT (code) DO NOTHING
        """
    )


def slots(scale: Scale) -> int:
    start = next_id("guidance_slot")
    if start > scale.slots:
        return 0
    rows = execute(
        """
        WITH c AS (SELECT array_agg(id ORDER BY code) AS ids FROM programs_region WHERE level = 'county')
        INSERT INTO guidance_slot (id, starts_at, ends_at, mode, capacity, booked, is_withdrawn, created_at,
                                   region_id, template_id)
        SELECT s, t, t + interval '1 hour', CASE WHEN s % 2 = 0 THEN 'online' ELSE 'onsite' END,
               CASE WHEN s % 3 = 0 THEN 5 ELSE 10 END, 0, false, now(), c.ids[1 + s % array_length(c.ids, 1)], NULL
        FROM (SELECT s, date_trunc('day', now()) + make_interval(days => 30 + s % 60, hours => 9 + s % 8) AS t
              FROM generate_series(%s, %s) s) g CROSS JOIN c
        ON CONFLICT (id) DO NOTHING
        """,
        [start, scale.slots],
    )
    execute(
        """
        WITH th AS (SELECT array_agg(id ORDER BY position) AS ids FROM guidance_theme WHERE code LIKE 'bench-theme-%%')
        INSERT INTO guidance_slot_themes (slot_id, theme_id)
        SELECT s, th.ids[1 + (s + n * 5) % 13] FROM generate_series(%s, %s) s CROSS JOIN generate_series(0, 1) n
        CROSS JOIN th
        ON CONFLICT DO NOTHING
        """,
        [start, scale.slots],
    )
    sync_sequence("guidance_slot")
    return rows


def bookings(scale: Scale) -> int:
    """Each slot gets bookings / slots of them (5): the capacity-5 slots are full. The bench enterprise has 120."""
    start = next_id("guidance_booking")
    if start > scale.bookings:
        return 0
    rows = execute(
        """
        WITH th AS (SELECT array_agg(id ORDER BY position) AS ids FROM guidance_theme WHERE code LIKE 'bench-theme-%%')
        INSERT INTO guidance_booking (id, reference, mode, channel, status, business_name, credit_code, contact_name,
            contact_phone, contact_email, address, needs, consent_at, time_version, submission_key, created_at,
            confirmed_at, cancel_reason, summary, letter_number, feedback, created_by_id, enterprise_id, region_id,
            region_code, slot_id, theme_id)
        SELECT b, 'BENCH' || lpad(b::text, 8, '0'), s.mode, 'online',
               CASE WHEN b % 2 = 0 THEN 'confirmed' ELSE 'requested' END,
               '企业' || b, '', '联系人', '13800000000', '', '', '', now(), 1, NULL, now() - make_interval(secs => b),
               CASE WHEN b % 2 = 0 THEN now() ELSE NULL END, '', '', '', '', NULL,
               CASE WHEN b <= 120 THEN 1 WHEN b <= 125 THEN 2 ELSE 1 + (b::bigint * 31) % %s END,
               s.region_id, region.code, s.id, th.ids[1 + s.id % 13]
        FROM generate_series(%s, %s) b
        JOIN guidance_slot s ON s.id = 1 + (b::bigint * 7) % %s
        JOIN programs_region region ON region.id = s.region_id
        CROSS JOIN th
        ON CONFLICT (id) DO NOTHING
        """,
        [scale.enterprises, start, scale.bookings, scale.slots],
    )
    execute(
        """
        UPDATE guidance_slot s SET booked = c.n
        FROM (SELECT slot_id, count(*) AS n FROM guidance_booking
              WHERE status IN ('requested', 'confirmed') AND reference LIKE 'BENCH%%' GROUP BY slot_id) c
        WHERE s.id = c.slot_id AND s.booked <> c.n
        """
    )
    sync_sequence("guidance_booking")
    return rows
