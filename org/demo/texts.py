"""Indonesian wording for the demo's field work: visit notes, P2K2 places, case stories, businesses.

Plain, everyday phrasing a facilitator would type on a phone. Placeholders in braces are filled by
the modules that use them ({kelurahan}, {kecamatan}, {child}, {bank}, ...).
"""

# --- home visits ----------------------------------------------------------------------------------

# purpose -> (notes, outcomes)
VISIT_TEXTS = {
    "commitment": (
        ("Memeriksa kehadiran anak di sekolah; pengurus menunjukkan rapor dan surat keterangan aktif sekolah.",
         "Mengecek buku KIA: balita ditimbang di posyandu bulan ini.",
         "Mengingatkan jadwal pemeriksaan kehamilan di puskesmas.",
         "Menanyakan kegiatan lansia di posyandu lansia RW.",
         "Anak sering terlambat masuk sekolah; dibicarakan dengan orang tua."),
        ("Komitmen pendidikan terpenuhi", "Balita rutin ke posyandu", "Ibu hamil sudah periksa ke puskesmas",
         "Pengurus berjanji membawa balita ke posyandu bulan depan", "Perlu konfirmasi kehadiran ke wali kelas"),
    ),
    "data": (
        ("Pemutakhiran data anggota keluarga: kelahiran anak dicatat.",
         "Mencocokkan NIK dan No. KK dengan dokumen asli.",
         "Verifikasi alamat dan nomor rumah untuk data DTSEN.",
         "Anak sudah masuk SD; data sekolah diperbarui.",
         "Ada anggota keluarga yang pindah domisili; perlu surat pindah dari kelurahan."),
        ("Data sudah sesuai dokumen", "Perlu pemutakhiran di SIKS-NG", "KK baru sedang diurus di Dukcapil",
         "Data sekolah anak diperbarui"),
    ),
    "mediation": (
        ("Menindaklanjuti masalah bantuan bersama pengurus.",
         "Membahas keberadaan kartu KKS dan bahaya menitipkan kartu.",
         "Mendampingi pengurus menyiapkan dokumen untuk bank.",
         "Menyampaikan jawaban dari pihak kelurahan."),
        ("Dokumen lengkap, akan diantar ke bank", "Kasus masih menunggu jawaban mitra",
         "Pengurus memahami langkah berikutnya", "Masalah selesai"),
    ),
    "business": (
        ("Melihat catatan penjualan dan pengeluaran usaha bulan ini.",
         "Membahas rencana pengajuan modal Jakpreneur.",
         "Membantu memotret produk untuk dijual daring.",
         "Usaha sepi; dibahas cara promosi di grup WhatsApp RW."),
        ("Catatan usaha bulan ini sudah dicatat", "Akan didaftarkan ke pelatihan Jakpreneur",
         "Omzet naik dibanding bulan lalu", "Perlu pendampingan pembukuan sederhana"),
    ),
    "graduation": (
        ("Asesmen kondisi sosial ekonomi keluarga untuk graduasi.",
         "Membahas kemungkinan graduasi sejahtera mandiri; suami sudah bekerja tetap.",
         "Melihat kondisi rumah dan aset keluarga."),
        ("Belum siap graduasi", "Keluarga bersedia menandatangani surat pernyataan graduasi",
         "Dijadwalkan asesmen lanjutan"),
    ),
    "p2k2": (
        ("Pengurus dua kali tidak hadir P2K2; ditanyakan alasannya.",
         "Menyampaikan ringkasan materi P2K2 yang terlewat.",
         "Mengajak pengurus hadir pada pertemuan kelompok berikutnya."),
        ("Pengurus berjanji hadir pada pertemuan berikutnya", "Jadwal kerja bentrok; disarankan ikut kelompok sore",
         "Materi susulan sudah disampaikan"),
    ),
    "other": (
        ("Kunjungan silaturahmi; keluarga dalam keadaan sehat.",
         "Membantu pendaftaran BPJS Kesehatan PBI untuk anggota keluarga.",
         "Menyampaikan informasi jadwal penyaluran bantuan tahap ini.",
         "Rumah terdampak banjir; kebutuhan bantuan dicatat."),
        ("Informasi sudah disampaikan", "Dirujuk ke kelurahan untuk bantuan banjir", "Pendaftaran PBI diproses"),
    ),
}
NOBODY_NOTE = "Tidak ada orang di rumah; menurut tetangga pengurus sedang bekerja."
NOBODY_OUTCOME = "Rumah kosong; akan dikunjungi ulang"
BACKDATE_REASONS = (
    "Sinyal internet di lokasi hilang; dicatat di buku dulu",
    "HP rusak, baru bisa diinput sekarang",
    "Kuota internet habis",
    "Lupa menekan tombol simpan saat di lokasi",
    "Aplikasi tidak bisa dibuka saat di lapangan",
)
# What browsers report (GeolocationPositionError.message), as static/js/visit.js sends it.
GEO_ERRORS = {"denied": "User denied Geolocation", "unavailable": "Position update is unavailable",
              "timeout": "Timeout expired"}

# --- P2K2 ---------------------------------------------------------------------------------------

GROUP_NAMES = (
    "Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Flamboyan", "Cempaka", "Teratai", "Bougenville",
    "Kemuning", "Seroja", "Nusa Indah", "Kamboja", "Tulip", "Sakura", "Lily", "Asoka", "Soka", "Aster",
    "Srikandi", "Kartini", "Harapan", "Sejahtera", "Berkah", "Mandiri",
)
MEETING_PLACES = ("Balai RW {rw:02d}", "Rumah ketua kelompok", "Posyandu {flower}", "Pos RW {rw:02d}",
                  "Musala Al-Ikhlas RW {rw:02d}", "Aula Kantor Kelurahan {kelurahan}", "Rumah Bu RT {rt:02d}")
CANCEL_REASONS = (
    "Banjir di wilayah RW; warga mengungsi",
    "Bertepatan dengan lomba 17 Agustus di RW",
    "Pendamping mengikuti rapat koordinasi di Suku Dinas Sosial",
    "Hujan deras sejak pagi",
    "Balai RW dipakai untuk vaksinasi",
)
EXCUSE_REASONS = ("Sakit", "Anak sakit", "Bekerja (shift pagi)", "Pulang kampung", "Mengurus dokumen di kelurahan",
                  "Baru melahirkan", "Menjaga orang tua yang sakit")
MEETING_NOTES = (
    "Materi disampaikan dengan diskusi kelompok dan permainan peran.",
    "Peserta antusias; banyak pertanyaan tentang materi.",
    "Menonton video modul lalu berbagi pengalaman.",
    "Ketua kelompok membantu mengingatkan anggota lewat WhatsApp.",
)

# --- mediation cases ----------------------------------------------------------------------------
# A story: (title, description, referral kind or "", referral note, outcome). The partner's name
# comes from PARTNERS by referral kind.

CASE_STORIES = {
    "SALDO_NOL": (
        ("Saldo KKS nol pada penyaluran tahap {tahap}",
         "Pengurus mengecek saldo di agen bank dan saldonya Rp0, padahal keluarga masih aktif dan komponennya tidak berubah.",
         "bank", "Mohon pengecekan status rekening dan riwayat kredit dana tahap {tahap}.",
         "Dana tahap {tahap} masuk setelah rekening diaktifkan kembali; saldo sudah bisa ditarik."),
        ("Bantuan tidak masuk: NIK pengurus tidak padan",
         "Hasil pengecekan di SIKS-NG: NIK pengurus tidak padan dengan data Dukcapil, sehingga dana tidak disalurkan.",
         "kelurahan", "Mohon bantuan perbaikan data kependudukan pengurus.",
         "NIK diperbaiki di Dukcapil; bantuan masuk pada tahap berikutnya."),
    ),
    "KKS": {
        "held_by_other": ("KKS tidak dipegang pengurus ({holder})",
                          "Kartu tidak berada di tangan pengurus ({holder}). Pengurus wajib memegang sendiri KKS dan PIN-nya.",
                          "bank", "Mohon penggantian PIN dan pemeriksaan transaksi enam bulan terakhir.",
                          "KKS sudah dikembalikan ke pengurus; PIN diganti di bank."),
        "lost": ("KKS hilang",
                 "Kartu hilang saat pengurus berbelanja di pasar; perlu surat kehilangan dari kepolisian.",
                 "bank", "Mohon penerbitan kartu pengganti; surat kehilangan terlampir.",
                 "Kartu pengganti diterbitkan bank."),
        "blocked": ("KKS terblokir setelah salah PIN tiga kali",
                    "Pengurus salah memasukkan PIN di ATM tiga kali; kartu terblokir.",
                    "bank", "Mohon pembukaan blokir kartu.", "Blokir dibuka di kantor cabang."),
        "damaged": ("KKS tertelan mesin ATM",
                    "Kartu tertelan ATM saat penarikan; pengurus belum bisa mengambil bantuan.",
                    "bank", "Mohon pengembalian kartu yang tertelan.",
                    "Kartu diambil kembali di kantor cabang dengan KTP dan KK."),
        "pin": ("Pengurus lupa PIN KKS", "Pengurus lansia lupa PIN dan tidak bisa menarik bantuan.",
                "bank", "Mohon reset PIN dengan pendampingan.", "PIN direset di bank."),
    },
    "PINDAH": (
        ("Keluarga pindah kontrakan ke RW lain",
         "Keluarga pindah kontrakan di dalam kelurahan; alamat di data belum diperbarui.",
         "kelurahan", "Mohon surat keterangan domisili baru.",
         "Alamat diperbarui melalui operator SIKS-NG kelurahan."),
        ("Keluarga akan pindah ke Kabupaten Bekasi",
         "Kepala keluarga mendapat pekerjaan di Cikarang; keluarga akan pindah bulan depan.",
         "dinas_sosial", "Mohon proses mutasi kepesertaan ke Kabupaten Bekasi.",
         "Surat pindah terbit; kepesertaan dialihkan ke pendamping di Kabupaten Bekasi."),
    ),
    "KOMPONEN": (
        ("Anak sudah masuk SD tetapi masih tercatat usia dini",
         "Komponen anak usia dini belum diubah menjadi komponen SD sejak tahun ajaran baru.",
         "dinas_sosial", "Mohon pemutakhiran komponen pada periode ini.",
         "Komponen diperbarui pada pemutakhiran data bulan ini."),
        ("Lansia belum tercatat sebagai komponen",
         "Orang tua kepala keluarga sudah berusia 60 tahun tetapi belum tercatat sebagai komponen lansia.",
         "dinas_sosial", "Mohon penambahan komponen lansia.", "Komponen lansia ditambahkan; berlaku tahap berikutnya."),
        ("Anak ketiga usia dini ikut terhitung",
         "Data komponen menghitung tiga anak usia dini; yang berhak paling banyak dua.",
         "", "", "Data komponen dikoreksi oleh operator."),
    ),
    "PENDIDIKAN": (
        ("Anak putus sekolah: {child}",
         "{child} ({age} tahun) tidak bersekolah lagi; membantu orang tua berjualan.",
         "school", "Mohon bantuan pendaftaran kembali dan keringanan biaya seragam.",
         "{child} kembali bersekolah melalui program kesetaraan di PKBM."),
        ("{child} berhenti sekolah karena biaya",
         "Orang tua tidak sanggup membayar biaya seragam dan transportasi; {child} ({age} tahun) berhenti sekolah.",
         "school", "Mohon pendaftaran KJP Plus dan penerimaan kembali.",
         "{child} diterima kembali dan didaftarkan KJP Plus."),
    ),
    "KESEHATAN": (
        ("Lansia perlu kontrol rutin, belum terdaftar PBI JKN",
         "Lansia dengan hipertensi belum punya BPJS Kesehatan; keluarga tidak mampu membayar iuran.",
         "puskesmas", "Mohon pemeriksaan dan bantuan pendaftaran PBI.",
         "Terdaftar PBI JKN; kontrol rutin di puskesmas."),
        ("Ibu hamil belum memeriksakan kehamilan",
         "Ibu hamil belum pernah periksa karena tidak ada yang menjaga anak di rumah.",
         "puskesmas", "Mohon jadwal pemeriksaan kehamilan dan kunjungan bidan.",
         "Sudah periksa di puskesmas; jadwal pemeriksaan berikutnya dicatat."),
        ("Balita berat badan di bawah garis merah",
         "Hasil penimbangan posyandu: berat badan balita di bawah garis merah dua bulan berturut-turut.",
         "puskesmas", "Mohon pemeriksaan gizi dan pemberian makanan tambahan.",
         "Balita mendapat PMT dari puskesmas; berat badan naik."),
        ("Anggota keluarga dengan disabilitas berat butuh kursi roda",
         "Anggota keluarga tidak bisa keluar rumah tanpa kursi roda.",
         "dinas_sosial", "Mohon bantuan alat bantu kursi roda.", "Kursi roda diterima dari Suku Dinas Sosial."),
    ),
    "PERLINDUNGAN_ANAK": (
        ("Dugaan penelantaran anak",
         "Laporan ketua RT: anak sering ditinggal sendiri berhari-hari dan tidak makan teratur.",
         "other", "Mohon asesmen dan pendampingan psikososial.",
         "Pendampingan psikososial oleh UPTD PPA; anak tinggal bersama nenek."),
        ("Anak bekerja sebagai pengamen",
         "Anak terlihat mengamen di lampu merah pada jam sekolah.",
         "dinas_sosial", "Mohon penjangkauan dan pendampingan anak.",
         "Anak kembali sekolah; orang tua mendapat konseling."),
        ("Dugaan kekerasan fisik terhadap anak",
         "Tetangga melaporkan anak sering dipukul; ada bekas luka di lengan.",
         "other", "Mohon asesmen dan perlindungan segera.",
         "Kasus ditangani UPTD PPA; keluarga mengikuti konseling."),
    ),
    "KOMPLEMENTARITAS": (
        ("Anak sekolah belum menerima KJP Plus",
         "Anak SMP belum terdaftar KJP Plus walaupun keluarga terdaftar di DTSEN.",
         "dinas_sosial", "Mohon usulan KJP Plus.", "Anak terdaftar KJP Plus mulai semester ini."),
        ("Keluarga belum menerima bantuan sembako",
         "Keluarga belum terdaftar sebagai penerima BPNT/Sembako.",
         "dinas_sosial", "Mohon pengusulan BPNT.", "Diusulkan melalui musyawarah kelurahan."),
        ("Pengajuan bedah rumah",
         "Atap rumah bocor dan dinding retak; keluarga tidak mampu memperbaiki.",
         "csr", "Mohon survei kelayakan bedah rumah.", "Rumah masuk daftar bedah rumah tahun depan."),
    ),
    "LAINNYA": (
        ("Keluarga terancam diusir dari kontrakan",
         "Pemilik kontrakan meminta keluarga pindah karena tunggakan sewa tiga bulan.",
         "kelurahan", "Mohon mediasi dengan pemilik kontrakan.", "Disepakati cicilan tunggakan; keluarga tetap tinggal."),
        ("Pergantian pengurus",
         "Ibu bekerja sebagai ART menginap di luar kota; pengurus perlu diganti oleh nenek.",
         "", "", "Pengurus diganti melalui pemutakhiran data."),
    ),
}
PARTNERS = {
    "kelurahan": "Kantor Kelurahan {kelurahan}",
    "dinas_sosial": "Suku Dinas Sosial Kota Administrasi Jakarta Timur",
    "puskesmas": "Puskesmas Kecamatan {kecamatan}",
    "school": "{school}",
    "other": "UPTD Perlindungan Perempuan dan Anak Provinsi DKI Jakarta",
    "csr": "Baznas (Bazis) Provinsi DKI Jakarta",
}
BANK_BRANCH = {"BRI": "BRI Unit {kecamatan}", "BNI": "BNI KCP {kecamatan}", "MANDIRI": "Bank Mandiri KCP {kecamatan}",
               "BSI": "BSI KCP {kecamatan}", "BTN": "BTN KCP {kecamatan}", "POS": "Kantor Pos {kecamatan}"}
KKS_HOLDER_LABEL = {"facilitator": "dipegang pendamping", "group_leader": "dipegang ketua kelompok",
                    "agent": "dipegang agen e-warong", "other": "dipegang pihak lain"}
PROGRESS_NOTES = (
    "Kunjungan rumah dan pengecekan dokumen.",
    "Sudah berkoordinasi dengan ketua RT.",
    "Pengurus diminta melengkapi fotokopi KTP dan KK.",
)
CASE_NOTES = (
    "Menghubungi mitra lewat telepon; pengurus diminta datang dengan dokumen asli.",
    "Pengurus sudah menyerahkan dokumen.",
    "Menunggu jadwal dari mitra.",
    "Dibahas pada rapat koordinasi pendamping.",
)
DUE_NOTES = ("Menunggu jawaban mitra", "Dokumen dari Dukcapil belum terbit", "Mitra meminta waktu tambahan")
REFERRAL_ANSWERS = {
    "accepted": "Rujukan diterima; pengurus dijadwalkan datang.",
    "resolved": "Masalah diselesaikan oleh mitra.",
    "declined": "Mitra menolak: dokumen belum lengkap.",
}
CLOSED_OUTCOMES = (
    "Ditutup: keluarga pindah ke luar DKI Jakarta sebelum masalah selesai.",
    "Ditutup: keluarga tidak dapat dihubungi lagi.",
    "Ditutup: masalah ternyata sudah diselesaikan sendiri oleh keluarga.",
)

# --- livelihood -----------------------------------------------------------------------------------

# kind -> (names, monthly revenue range in rupiah, share of revenue kept as profit)
BUSINESS_KINDS = {
    "warung": (("Warung {nick}", "Warung Kopi {nick}", "Warung Sembako {nick}", "Warung Nasi {nick}"),
               (3_000_000, 9_000_000), (0.12, 0.25)),
    "catering": (("Katering {nick}", "Nasi Uduk {nick}", "Kue Basah {nick}", "Gorengan {nick}"),
                 (2_000_000, 8_000_000), (0.2, 0.4)),
    "tailoring": (("Jahit {nick}", "Permak Jeans {nick}", "Konveksi Rumahan {nick}"), (1_000_000, 4_000_000), (0.35, 0.6)),
    "online": (("{nick} Shop", "Olshop {nick}", "Frozen Food {nick}"), (1_000_000, 6_000_000), (0.15, 0.3)),
    "trading": (("Sayur Keliling {nick}", "Toko Kelontong {nick}", "Jualan Pulsa {nick}"), (2_000_000, 7_000_000), (0.1, 0.2)),
    "services": (("Laundry Kiloan {nick}", "Salon {nick}", "Servis HP {nick}"), (1_500_000, 5_000_000), (0.3, 0.55)),
    "crafts": (("Kerajinan Manik {nick}", "Tas Daur Ulang {nick}"), (500_000, 2_500_000), (0.3, 0.5)),
    "farming": (("Budidaya Lele {nick}", "Hidroponik {nick}"), (1_000_000, 3_000_000), (0.25, 0.45)),
}
BUSINESS_WEIGHTS = (("warung", 28), ("catering", 18), ("tailoring", 10), ("online", 12), ("trading", 12),
                    ("services", 10), ("crafts", 5), ("farming", 3), ("other", 2))
OTHER_BUSINESS = (("Ojek Pangkalan {nick}", "Cuci Motor {nick}"), (1_500_000, 4_000_000), (0.5, 0.7))
STOP_REASONS = ("Modal habis", "Pindah tempat tinggal", "Pengurus sakit", "Kalah bersaing dengan minimarket",
                "Fokus mengurus anak", "Tempat usaha digusur")
ENTRY_NOTES = ("Ramadan: pesanan meningkat", "Libur sekolah, penjualan turun", "Harga bahan baku naik",
               "Banyak pesanan hajatan", "Hujan terus, pembeli sepi")
KUBE_NAMES = ("KUBE Mawar Sejahtera", "KUBE Maju Bersama", "KUBE Berkah Ibu", "KUBE Srikandi Mandiri",
              "KUBE Sehati", "KUBE Harapan Jaya")
KUBE_BUSINESSES = (("catering", "Katering {kube}"), ("crafts", "Kerajinan Tas Daur Ulang {kube}"),
                   ("trading", "Toko Sembako {kube}"), ("tailoring", "Konveksi {kube}"))
JAKPRENEUR_TRAINING = "Pelatihan Jakpreneur di PPKD Jakarta Timur (3 hari)"
REFERRAL_NOTES = ("Modal tambahan untuk etalase dan bahan baku", "Ingin menambah gerobak kedua",
                  "Perlu mesin jahit baru", "Modal untuk stok menjelang Lebaran")
DECLINE_REASONS = {
    "referred": ("Tidak lolos kurasi: usaha belum memiliki NIB", "Kuota angkatan pelatihan penuh; diminta mendaftar ulang"),
    "trained": ("Dokumen pengajuan tidak lengkap", "Pembukuan usaha belum tertib", "Riwayat kredit bermasalah (SLIK OJK)"),
}

# --- compliance -----------------------------------------------------------------------------------

POSYANDU_NAMES = ("Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Cempaka", "Teratai", "Flamboyan", "Seruni",
                  "Nusa Indah", "Kemuning", "Delima")
POSYANDU_LANSIA_NAMES = ("Sehat Ceria", "Bahagia", "Sejahtera", "Lestari", "Sehat Bugar", "Harapan")
WELFARE_ACTIVITIES = ("Posyandu lansia", "Senam lansia di RW", "Pemeriksaan tekanan darah di puskesmas",
                      "Kunjungan perawat home care", "Terapi di puskesmas", "Pengajian dan cek kesehatan lansia")
