"""Names for the demo data: common Indonesian given names, a few family names (*marga*), streets.

Most Indonesians in Jakarta have one or two given names and no family name; Batak, Manado and
Ambonese families carry a family name that children inherit. The lists are plain common names,
not real people.
"""

MALE_GIVEN = (
    "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dian", "Eko", "Fajar", "Hadi", "Hendra",
    "Heru", "Iwan", "Joko", "Kurniawan", "Rahmat", "Rudi", "Slamet", "Sugeng", "Supriyadi", "Suryadi",
    "Teguh", "Wahyu", "Yanto", "Yusuf", "Zainal", "Abdul", "Asep", "Darmawan", "Edi", "Firman", "Gunawan",
    "Hasan", "Imam", "Irfan", "Jamal", "Komarudin", "Lukman", "Mahmud", "Muhammad", "Mulyadi", "Nanang",
    "Nur", "Rizal", "Saepul", "Sarip", "Sutrisno", "Taufik", "Ujang", "Wawan", "Yudi", "Rohmat", "Syamsul",
    "Haris", "Ilham", "Bagus", "Galih", "Fadli",
)
# Names given more often since the 1990s (children and young parents).
MALE_GIVEN_RECENT = (
    "Dimas", "Rizky", "Reza", "Aditya", "Bayu", "Fikri", "Gilang", "Hafiz", "Aldi", "Farhan", "Naufal", "Raka",
    "Satria", "Yoga", "Daffa", "Alif", "Arya", "Fadli", "Galih", "Bagus", "Ilham", "Rafi", "Azka", "Zidan",
    "Fathan", "Arkan", "Kenzo", "Rayyan", "Haikal", "Abdullah", "Muhammad", "Ahmad", "Rizal", "Fajar",
)

MALE_SECOND = (
    "Santoso", "Saputra", "Setiawan", "Hidayat", "Nugroho", "Prasetyo", "Wibowo", "Susanto", "Kurniawan",
    "Firmansyah", "Hermawan", "Gunawan", "Syahputra", "Ramadhan", "Maulana", "Pratama", "Hakim",
    "Fauzi", "Rahman", "Wijaya", "Sudrajat", "Suherman", "Hasanudin", "Iskandar", "Mustofa", "Syaifudin",
    "Purnomo", "Riyadi", "Kusuma", "Siswanto", "Haryanto", "Sulaiman", "Rosyid", "Akbar", "Aditama",
)

FEMALE_GIVEN = (
    "Siti", "Sri", "Dewi", "Nur", "Rina", "Wati", "Yuliana", "Ani", "Ratna", "Sari", "Endang", "Lestari",
    "Fitri", "Indah", "Kartini", "Lina", "Maya", "Nining", "Nurhayati", "Puji", "Rini", "Rohani", "Sumarni",
    "Suryani", "Tuti", "Umi", "Wulan", "Yanti", "Aminah", "Aisyah", "Dian", "Eni", "Fatimah", "Hartini",
    "Ida", "Imas", "Juju", "Khadijah", "Lilis", "Mariam", "Mulyani", "Neneng", "Nia", "Rosmini", "Sulastri",
    "Titin", "Yati", "Zubaidah", "Ayu", "Intan", "Laila",
)
FEMALE_GIVEN_RECENT = (
    "Ayu", "Putri", "Nabila", "Salsabila", "Aulia", "Nadia", "Zahra", "Keisha", "Anisa", "Citra", "Dinda",
    "Intan", "Kayla", "Nayla", "Rahma", "Syifa", "Tiara", "Alya", "Bunga", "Cantika", "Fadhilah", "Hana",
    "Laila", "Mutiara", "Naura", "Shafa", "Zaskia", "Aisyah", "Siti", "Nur", "Dewi", "Fitri", "Khadijah",
)

FEMALE_SECOND = (
    "Rahayu", "Lestari", "Wahyuni", "Handayani", "Susanti", "Purwanti", "Sulistiawati", "Kurniasih",
    "Nurjanah", "Fitriani", "Maryati", "Suryani", "Rohmah", "Hidayah", "Safitri", "Anggraini", "Permata",
    "Ramadhani", "Puspita", "Utami", "Pertiwi", "Novitasari", "Aprilia", "Oktaviani", "Khairunnisa",
    "Azzahra", "Febriani", "Nuraini", "Setyaningsih", "Wulandari", "Marlina", "Yuningsih", "Komalasari",
)

# Family names (marga / fam) carried by a minority of Jakarta families.
FAMILY_NAMES = (
    "Siregar", "Nasution", "Harahap", "Lubis", "Simanjuntak", "Situmorang", "Sinaga", "Panjaitan",
    "Hutapea", "Pasaribu", "Tambunan", "Manurung", "Simatupang", "Sitompul", "Pardede", "Hutagalung",
    "Silalahi", "Napitupulu", "Sembiring", "Ginting", "Tarigan", "Purba", "Damanik", "Saragih",
    "Rondonuwu", "Pangemanan", "Tumbelaka", "Sondakh", "Lumenta", "Mandagi", "Wenas", "Kaunang",
    "Latuconsina", "Tuasikal", "Latumahina", "Pattinasarany", "Matulessy", "Rumahorbo",
)

STREETS = (
    "Kebon Nanas", "Raya Bekasi", "Pemuda", "Pramuka", "Matraman Raya", "Jatinegara Barat", "Otista",
    "Dewi Sartika", "Raya Bogor", "Condet Raya", "Raya Kalisari", "Cipinang Muara", "Bekasi Timur",
    "Pondok Kopi Raya", "Kramat Asem", "Pisangan Lama", "Kayu Manis", "Utan Kayu", "Balai Rakyat",
    "Pulo Gebang", "Penggilingan Raya", "Inspeksi Kalimalang", "Swadaya", "Masjid", "Haji Naman",
    "Bambu Apus Raya", "Pondok Ranggon", "Lapan", "Cilangkap Baru", "Setu Cipayung", "Raya Ciracas",
    "Kelapa Dua Wetan", "Susukan", "Cibubur Raya", "Rambutan", "Pinang Ranti", "Makasar Raya",
    "Halim Perdanakusuma", "Dukuh V", "Batu Ampar", "Raya Tengah", "Gedong", "Cijantung", "Pekayon",
    "Duren Sawit Raya", "Kolonel Sugiono", "Raden Inten", "Malaka Jaya", "Pondok Bambu Asri", "Klender",
    "Buaran", "Kampung Melayu Kecil", "Bidara Cina", "Rawa Bunga", "Cipinang Besar", "Cipinang Jaya",
    "Rawamangun Muka", "Kayu Putih Raya", "Pulomas", "Balai Pustaka", "Cempaka", "Melati", "Mawar",
    "Anggrek", "Kenanga", "Flamboyan", "Nusa Indah", "Kemuning", "Delima", "Rambutan Raya", "Jambu",
    "Mangga", "Kelapa Gading", "Waru", "Asem", "Haji Jum", "Haji Dogol", "Haji Ten", "Bakti", "Karya",
    "Mandiri", "Persatuan", "Gotong Royong", "Kerja Bakti", "Damai", "Swakarsa", "Usaha",
)
